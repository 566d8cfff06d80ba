// Sign-in, navigation and routing by the URL fragment: #/ (overview), #/sessions, #/sessions/<id>,
// #/stations/<id>, #/triage. Each page renders into <main> and marks it data-state="ready" once its
// data is on screen (the browser tests and the render benchmark wait for that).

import { ApiError, api, credential, vocabulary } from "./api.js";
import { h } from "./dom.js";
import * as overview from "./pages/overview.js";
import * as session from "./pages/session.js";
import * as sessions from "./pages/sessions.js";
import * as station from "./pages/station.js";
import * as triage from "./pages/triage.js";

const ROUTES = [
  { pattern: /^\/?$/, page: "overview", nav: "overview", module: overview },
  { pattern: /^\/sessions\/?$/, page: "sessions", nav: "sessions", module: sessions },
  { pattern: /^\/sessions\/(.+)$/, page: "session", nav: "sessions", module: session },
  { pattern: /^\/stations\/(.+)$/, page: "station", nav: null, module: station },
  { pattern: /^\/triage\/?$/, page: "triage", nav: "triage", module: triage },
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const alertBox = document.getElementById("alert");
let generation = 0;

export function showError(error) {
  alertBox.replaceChildren(error instanceof ApiError || error instanceof Error ? error.message : String(error));
  alertBox.hidden = false;
}

function clearError() {
  alertBox.hidden = true;
  alertBox.replaceChildren();
}

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

function signIn() {
  nav.hidden = true;
  main.dataset.page = "sign-in";
  const input = h("input", { id: "credential", name: "credential", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const form = h(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const token = input.value.trim();
        try {
          // Any role may read the statistics: a 200 here means the credential works.
          await api("/v1/statistics", { token });
          credential.set(token);
          clearError();
          route();
        } catch (error) {
          showError(error.status === 401 ? "That key or token was not accepted (401). Check it and try again." : error);
        }
      },
    },
    h("label", { for: "credential" }, "API key or member token"),
    input,
    h("button", { type: "submit" }, "Sign in"),
    h("p", { class: "note" }, "Kept in this browser tab only (sessionStorage) and sent as a bearer token to the /v1 API."),
  );
  main.replaceChildren(h("section", { class: "signin" }, h("h1", {}, "Sign in to evwatch"), form));
  main.dataset.state = "ready";
  input.focus();
}

async function route() {
  const mine = ++generation;
  clearError();
  if (!credential.get()) return signIn();
  nav.hidden = false;
  const { path, query } = parseHash();
  const match = ROUTES.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  for (const a of nav.querySelectorAll("a")) {
    if (match && a.dataset.nav === match.r.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  main.dataset.state = "loading";
  if (!match) {
    main.dataset.page = "not-found";
    main.replaceChildren(h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "#/" }, "Back to the overview")));
    main.dataset.state = "ready";
    return;
  }
  main.dataset.page = match.r.page;
  main.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const vocab = await vocabulary();
    const params = match.m.slice(1).map(decodeURIComponent);
    const content = await match.r.module.render({ params, query, vocab, isCurrent: () => mine === generation });
    if (mine !== generation) return;
    main.replaceChildren(...content.nodes.filter((n) => n !== null && n !== undefined && n !== false));
    document.title = `${content.title} · evwatch`;
    if (content.after) await content.after();
    if (mine !== generation) return;
    main.dataset.state = "ready";
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof ApiError && error.status === 401) {
      credential.clear();
      showError("Your key or token is no longer accepted (401); sign in again.");
      return signIn();
    }
    main.replaceChildren(h("h1", {}, "Could not load this page"), h("p", {}, error.message));
    showError(error);
    main.dataset.state = "error";
  }
}

document.getElementById("sign-out").addEventListener("click", () => {
  credential.clear();
  location.hash = "#/";
  route();
});
window.addEventListener("hashchange", route);
route();
