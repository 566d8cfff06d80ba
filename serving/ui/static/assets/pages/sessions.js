// Sessions: the tenant's sessions, newest first, filtered and paged by GET /v1/sessions itself
// (never all of them at once).

import { api } from "../api.js";
import { fmt, h, hashFor, link, table } from "../dom.js";

const PAGE_SIZE = 25;
const FILTERS = ["chargingStationId", "isAnomaly", "minScore", "dateFrom", "dateTo"];

// <input type="datetime-local"> speaks local time without a zone; the API wants RFC 3339.
const toApiTime = (local) => (local ? new Date(local).toISOString() : "");
const toLocalInput = (iso) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};

export async function render({ query }) {
  const page = Math.max(0, Number.parseInt(query.page ?? "0", 10) || 0);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query[f] ?? ""]));
  const [list, lookup] = await Promise.all([
    api("/v1/sessions", { query: { ...filters, page, pageSize: PAGE_SIZE } }),
    api("/v1/stations/lookup"),
  ]);
  const total = list.pagination.totalCount;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const station = h(
    "select",
    { name: "chargingStationId", id: "f-station" },
    h("option", { value: "" }, "All stations"),
    lookup.items.map((id) => h("option", { value: id, selected: id === filters.chargingStationId }, id)),
  );
  const anomalous = h(
    "select",
    { name: "isAnomaly", id: "f-anomalous" },
    [["", "Any"], ["true", "Anomalous"], ["false", "Not anomalous"]].map(([v, t]) =>
      h("option", { value: v, selected: v === filters.isAnomaly }, t),
    ),
  );
  const minScore = h("input", { name: "minScore", id: "f-score", type: "number", min: 0, max: 1, step: 0.05, value: filters.minScore, inputmode: "decimal" });
  const from = h("input", { name: "dateFrom", id: "f-from", type: "datetime-local", value: toLocalInput(filters.dateFrom) });
  const to = h("input", { name: "dateTo", id: "f-to", type: "datetime-local", value: toLocalInput(filters.dateTo) });
  const form = h(
    "form",
    {
      class: "filters",
      role: "search",
      "aria-label": "Filter sessions",
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = hashFor("/sessions", {
          chargingStationId: station.value,
          isAnomaly: anomalous.value,
          minScore: minScore.value,
          dateFrom: toApiTime(from.value),
          dateTo: toApiTime(to.value),
        });
      },
    },
    h("label", { for: "f-station" }, "Station", station),
    h("label", { for: "f-anomalous" }, "Anomalous", anomalous),
    h("label", { for: "f-score" }, "Min. score", minScore),
    h("label", { for: "f-from" }, "Created from", from),
    h("label", { for: "f-to" }, "Created to", to),
    h("button", { type: "submit" }, "Apply"),
    h("a", { href: "#/sessions" }, "Clear"),
  );
  const goto = (p) => hashFor("/sessions", { ...filters, page: p });
  return {
    title: "Sessions",
    nodes: [
      h("h1", {}, "Sessions"),
      h("section", {}, form),
      h(
        "section",
        { "aria-labelledby": "list-title" },
        h("h2", { id: "list-title" }, `${fmt.num(total)} sessions`),
        table(
          [
            {
              label: "Session",
              cell: (s) => link(hashFor(`/sessions/${encodeURIComponent(s.sessionId)}`, { station: s.chargingStationId }), s.sessionId),
            },
            { label: "Station", cell: (s) => link(hashFor(`/stations/${encodeURIComponent(s.chargingStationId)}`), s.chargingStationId) },
            { label: "Status", cell: (s) => s.status },
            { label: "Anomalous", cell: (s) => fmt.yesNo(s.isAnomaly) },
            { label: "Score", num: true, cell: (s) => fmt.score(s.anomalyScore) },
            { label: "Anomalies", num: true, cell: (s) => fmt.num(s.anomalyCount) },
            { label: "Created", cell: (s) => fmt.time(s.createdAt) },
          ],
          list.content,
          { caption: "Sessions", id: "sessions-table", empty: "No session matches these filters." },
        ),
        h(
          "nav",
          { class: "pager", "aria-label": "Pages of sessions" },
          page > 0 ? h("a", { href: goto(page - 1), rel: "prev" }, "← Newer") : null,
          h("span", {}, `Page ${page + 1} of ${fmt.num(pages)}`),
          page + 1 < pages ? h("a", { href: goto(page + 1), rel: "next" }, "Older →") : null,
        ),
      ),
    ],
  };
}
