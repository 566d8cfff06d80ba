// Triage board: anomalies with their issues in one column per issue status; filter them, assign them
// and move them with the contract's PATCH /v1/anomalies/issues/{issue_id}.

import { api } from "../api.js";
import { categoryStyle } from "../charts.js";
import { fmt, h, hashFor, link } from "../dom.js";

const PER_COLUMN = 25;
const FILTERS = ["anomalyType", "assignedTo", "chargingPointId", "chargingSessionId", "closed"];

function card(anomaly, issue, vocab, board) {
  const style = categoryStyle(anomaly.anomalyType, vocab.categories);
  const category = vocab.categories.find((c) => c.code === anomaly.anomalyType);
  const status = h(
    "select",
    { name: "status", "aria-label": `Status of issue ${issue.id}` },
    [issue.statusName, ...(vocab.transitions[issue.statusName] ?? [])].map((s) =>
      h("option", { value: s, selected: s === issue.statusName }, s),
    ),
  );
  const assignee = h("input", { name: "assignedTo", type: "text", value: issue.assignedTo ?? "", "aria-label": `Assignee of issue ${issue.id}`, placeholder: "unassigned", autocomplete: "off" });
  const saved = h("span", { class: "saved", role: "status" });
  const save = h("button", { type: "submit" }, "Save");
  const el = h(
    "li",
    { class: "issue", style: `border-left-color:${style.color}`, dataset: { issue: issue.id, status: issue.statusName, category: anomaly.anomalyType } },
    h("div", { class: "what" }, `${category?.name ?? anomaly.anomalyType} · ${fmt.score(anomaly.aiRiskScore)}`),
    h(
      "div",
      { class: "meta" },
      link(hashFor(`/sessions/${encodeURIComponent(anomaly.chargingSessionId)}`, { station: anomaly.chargingPointId }), anomaly.chargingSessionId),
      " · ",
      link(hashFor(`/stations/${encodeURIComponent(anomaly.chargingPointId)}`), anomaly.chargingPointId),
      ` #${anomaly.connectorId} · ${fmt.time(anomaly.dateOfAnomalyOccurrence)}`,
    ),
    h(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          save.disabled = true;
          saved.textContent = "";
          try {
            const body = { status: status.value, assignedTo: assignee.value.trim() || null };
            await api(`/v1/anomalies/issues/${encodeURIComponent(issue.id)}`, { method: "PATCH", body });
            board.moved(issue.id, body.status, body.assignedTo);
          } catch (error) {
            saved.textContent = error.message;
          } finally {
            save.disabled = false;
          }
        },
      },
      h("label", {}, "Status", status),
      h("label", {}, "Assigned to", assignee),
      save,
      saved,
    ),
  );
  return { el, anomaly, issue };
}

export async function render({ query, vocab }) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query[f] ?? ""]));
  const statuses = vocab.issueStatuses.filter((s) => filters.closed === "1" || !vocab.closedStatuses.includes(s));
  const { closed, ...apiFilters } = filters;
  const columns = await Promise.all(
    statuses.map((s) =>
      api("/v1/anomalies", { query: { ...apiFilters, anomalyIssuesStatus: s, pageSize: PER_COLUMN } }).then((r) => ({ status: s, ...r })),
    ),
  );
  const announce = h("p", { class: "visually-hidden", role: "status", id: "board-status" });
  const lists = new Map();
  const counts = new Map();
  const board = {
    // Every card of the issue follows it: an issue covers the anomalies of several sessions.
    moved(issueId, status, assignedTo) {
      const cards = [...document.querySelectorAll(`li.issue[data-issue="${CSS.escape(issueId)}"]`)];
      for (const el of cards) {
        const from = el.dataset.status;
        el.dataset.status = status;
        counts.get(from)?.change(-1);
        const target = lists.get(status);
        if (target) {
          target.prepend(el);
          counts.get(status).change(+1);
          const select = el.querySelector("select[name=status]");
          select.replaceChildren(...[status, ...(vocab.transitions[status] ?? [])].map((s) => h("option", { value: s, selected: s === status }, s)));
          el.querySelector("input[name=assignedTo]").value = assignedTo ?? "";
          el.querySelector(".saved").textContent = `Saved: ${status}${assignedTo ? `, ${assignedTo}` : ""}`;
        } else {
          el.remove();
        }
      }
      announce.textContent = `Issue ${issueId} is now ${status}${assignedTo ? `, assigned to ${assignedTo}` : ""}.`;
    },
  };

  const category = h(
    "select",
    { id: "f-category", name: "anomalyType" },
    h("option", { value: "" }, "All categories"),
    vocab.categories.map((c) => h("option", { value: c.code, selected: c.code === filters.anomalyType }, c.name)),
  );
  const assigned = h("input", { id: "f-assigned", name: "assignedTo", type: "text", value: filters.assignedTo, autocomplete: "off" });
  const station = h("input", { id: "f-station", name: "chargingPointId", type: "text", value: filters.chargingPointId, autocomplete: "off" });
  const session = h("input", { id: "f-session", name: "chargingSessionId", type: "text", value: filters.chargingSessionId, autocomplete: "off" });
  const showClosed = h("input", { id: "f-closed", name: "closed", type: "checkbox", checked: filters.closed === "1" });
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter the triage board",
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = hashFor("/triage", {
          anomalyType: category.value,
          assignedTo: assigned.value.trim(),
          chargingPointId: station.value.trim(),
          chargingSessionId: session.value.trim(),
          closed: showClosed.checked ? "1" : "",
        });
      },
    },
    h("label", { for: "f-category" }, "Category", category),
    h("label", { for: "f-assigned" }, "Assigned to", assigned),
    h("label", { for: "f-station" }, "Station", station),
    h("label", { for: "f-session" }, "Session", session),
    h("label", { for: "f-closed", class: "inline" }, "Closed issues too", showClosed),
    h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/triage" }, "Clear"),
  );

  const columnEls = columns.map((col) => {
    const list = h("ol", { "aria-label": `${col.status} issues` });
    lists.set(col.status, list);
    let total = col.pagination.totalCount;
    const count = h("span", { class: "muted" }, fmt.num(total));
    counts.set(col.status, {
      change(delta) {
        total += delta;
        count.textContent = fmt.num(total);
      },
    });
    for (const anomaly of col.content) {
      for (const issue of anomaly.issues ?? []) {
        if (issue.statusName === col.status) list.append(card(anomaly, issue, vocab, board).el);
      }
    }
    return h(
      "section",
      { class: "column", dataset: { column: col.status }, "aria-label": col.status },
      h("h2", {}, col.status, count),
      list,
      total > PER_COLUMN ? h("p", { class: "note" }, `The ${PER_COLUMN} most recent of ${fmt.num(total)}; narrow with the filters.`) : null,
    );
  });
  return {
    title: "Triage",
    nodes: [h("h1", {}, "Triage board"), h("section", {}, form), announce, h("div", { class: "board", id: "board" }, columnEls)],
  };
}
