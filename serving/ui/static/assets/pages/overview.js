// Overview: the tenant's statistics, open issues by category, and the stations with the most anomalies.

import { api } from "../api.js";
import { fmt, h, hashFor, link, table } from "../dom.js";

// GET /v1/stations pages by station id; the ranking is over its largest page (see docs/dashboard.md).
const STATION_PAGE = 500;
const TOP_STATIONS = 10;

const FIGURES = [
  ["totalSessions", "Sessions", 0],
  ["sessionsWithAnomaliesCount", "Sessions with anomalies", 0],
  ["totalAnomaliesCount", "Anomalies", 0],
  ["activeAnomaliesCount", "Active anomalies", 0],
  ["chargingStationsWithAnomaliesCount", "Stations with anomalies", 0],
  ["connectorsWithAnomaliesCount", "Connectors with anomalies", 0],
  ["uptimePercentage", "Uptime, last 30 days (%)", 1],
  ["uptimeDelta", "Uptime change (points)", 1],
  ["totalRevenue", "Revenue", 2],
  ["revenueAtRisk", "Revenue at risk", 2],
  ["revenueLeakEstimate", "Estimated revenue leak", 2],
];

export async function render({ vocab }) {
  const openByCategory = Promise.all(
    vocab.categories.map((c) =>
      api("/v1/anomalies", { query: { anomalyType: c.code, anomalyIssuesStatus: "OPEN", pageSize: 1 } }).then((r) => ({
        category: c,
        count: r.pagination.totalCount,
      })),
    ),
  );
  const [stats, open, stations] = await Promise.all([
    api("/v1/statistics"),
    openByCategory,
    api("/v1/stations", { query: { pageSize: STATION_PAGE } }),
  ]);
  const top = [...stations.content]
    .filter((s) => s.totalAnomalies > 0)
    .sort((a, b) => b.totalAnomalies - a.totalAnomalies || a.chargingStationId.localeCompare(b.chargingStationId))
    .slice(0, TOP_STATIONS);
  const max = Math.max(1, ...open.map((o) => o.count));
  const withOpen = open.filter((o) => o.count > 0).sort((a, b) => b.count - a.count);
  return {
    title: "Overview",
    nodes: [
      h("h1", {}, "Overview"),
      h(
        "dl",
        { class: "cards", id: "statistics" },
        FIGURES.map(([key, label, digits]) =>
          h("div", { class: "card", dataset: { figure: key } }, h("dt", {}, label), h("dd", {}, fmt.num(stats[key], digits))),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "open-title" },
        h("h2", { id: "open-title" }, "Open issues by category"),
        h("p", { class: "note" }, "Anomalies whose issue is OPEN, per category; each links to the triage board."),
        withOpen.length
          ? h(
              "ul",
              { class: "bars", id: "open-by-category" },
              withOpen.map((o) =>
                h(
                  "li",
                  { dataset: { category: o.category.code } },
                  link(hashFor("/triage", { anomalyType: o.category.code }), o.category.name),
                  h("span", { class: "bar", style: `width:${(100 * o.count) / max}%`, "aria-hidden": "true" }),
                  h("span", { class: "count" }, fmt.num(o.count)),
                ),
              ),
            )
          : h("p", { class: "muted", id: "open-by-category" }, "No open issues."),
      ),
      h(
        "section",
        { "aria-labelledby": "top-title" },
        h("h2", { id: "top-title" }, "Stations with the most anomalies"),
        table(
          [
            { label: "Station", cell: (s) => link(hashFor(`/stations/${encodeURIComponent(s.chargingStationId)}`), s.chargingStationId) },
            { label: "Anomalies", num: true, cell: (s) => fmt.num(s.totalAnomalies) },
            { label: "Latest SHADE score", num: true, cell: (s) => fmt.score(s.aiScore) },
            { label: "Last anomaly", cell: (s) => fmt.time(s.lastAnomalyDate) },
          ],
          top,
          { caption: "Stations with the most anomalies", id: "top-stations", empty: "No station has anomalies." },
        ),
        stations.pagination.totalCount > STATION_PAGE
          ? h("p", { class: "note" }, `Ranked among the first ${STATION_PAGE} of ${fmt.num(stations.pagination.totalCount)} stations.`)
          : null,
      ),
    ],
  };
}
