// One station: hourly energy per connector with SHADE anomaly instants, the daily SHADE history, and what
// the API says about its connectors' availability.

import { ApiError, api } from "../api.js";
import { chartFigure, plotDays, plotLines } from "../charts.js";
import { fmt, h, hashFor, link, table } from "../dom.js";

const HISTORY_DAYS = 30;

export async function render({ params }) {
  const [id] = params;
  const base = `/v1/stations/${encodeURIComponent(id)}`;
  const [detail, connectors, energy, history] = await Promise.all([
    api(base),
    api(`${base}/connectors`),
    api(`${base}/energy`).catch((error) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
    api(`${base}/anomalies`, { query: { pageSize: HISTORY_DAYS } }),
  ]);

  const lines = energy
    ? [
        { name: "Station (charging connectors)", points: energy.energyConsumptionStation.map((p) => [p.timestamp, p.energy]) },
        ...energy.energyConsumptionConnectors.map((c) => ({
          name: c.connectorId === "0" ? "Station meter (connector 0)" : `Connector ${c.connectorId}`,
          points: c.energy.map((p) => [p.timestamp, p.energy]),
        })),
      ].filter((l) => l.points.length)
    : [];
  const markers = energy ? energy.anomalyOccurrences : [];
  const energyAlt = h(
    "div",
    {},
    h("p", {}, `Energy delivered in the window: ${fmt.num(energy?.energyDelivered ?? 0, 1)} kWh.`),
    markers.length
      ? h("ul", { id: "shade-markers" }, markers.map((m) => h("li", { dataset: { at: m } }, `SHADE anomaly at ${fmt.time(m)}`)))
      : h("p", { id: "shade-markers" }, "No SHADE anomaly in this window."),
  );
  const energyChart = chartFigure(
    "station-energy",
    `Hourly energy per connector over the last days, with ${markers.length} SHADE anomaly marker(s), listed below.`,
    "Hourly kWh per connector; dotted vertical lines labelled SHADE mark where SHADE found the station's day anomalous.",
    energyAlt,
  );

  const days = [...history.content]
    .map((r) => ({
      day: r.detectionDetails?.affected_period ?? r.analyzedAt.slice(0, 10),
      score: r.anomalyScore,
      anomalous: r.isAnomaly,
      type: r.detectionDetails?.anomaly_type ?? null,
      expected: r.detectionDetails?.expected_energy_kwh ?? null,
      actual: r.detectionDetails?.actual_energy_kwh ?? null,
    }))
    .sort((a, b) => a.day.localeCompare(b.day));
  const historyTable = table(
    [
      { label: "Day", cell: (d) => d.day },
      { label: "Day score", num: true, cell: (d) => fmt.score(d.score) },
      { label: "Anomalous", cell: (d) => fmt.yesNo(d.anomalous) },
      { label: "Finding", cell: (d) => d.type ?? "–" },
      { label: "Expected kWh", num: true, cell: (d) => fmt.num(d.expected, 1) },
      { label: "Actual kWh", num: true, cell: (d) => fmt.num(d.actual, 1) },
    ],
    [...days].reverse(),
    { caption: "SHADE results per day", id: "daily-history", empty: "SHADE has not scored a day of this station yet.", rowAttrs: (d) => ({ "data-day": d.day }) },
  );
  const historyChart = chartFigure(
    "station-days",
    `SHADE day scores of the last ${days.length} scored day(s); anomalous days are hatched. The table below lists them.`,
    "Day score per station-day; anomalous days are vermillion and hatched.",
    historyTable,
  );

  const outages = days.filter((d) => d.type === "connector_outage");
  const meta = detail.metadata ?? {};
  const metaRows = ["address", "operator", "timeZone", "tariffPerKwh", "currency"].filter((k) => meta[k] !== undefined && meta[k] !== null);

  return {
    title: `Station ${id}`,
    nodes: [
      h("h1", {}, `Station ${id}`),
      h(
        "dl",
        { class: "cards" },
        h("div", { class: "card" }, h("dt", {}, "Sessions"), h("dd", {}, fmt.num(detail.totalSessions))),
        h("div", { class: "card" }, h("dt", {}, "Anomalous sessions"), h("dd", {}, fmt.num(detail.anomalousSessions))),
        h("div", { class: "card" }, h("dt", {}, "Connectors"), h("dd", {}, fmt.num(detail.connectors.length))),
        metaRows.map((k) => h("div", { class: "card" }, h("dt", {}, k), h("dd", {}, String(meta[k])))),
      ),
      h("p", {}, link(hashFor("/sessions", { chargingStationId: id }), "Sessions of this station"), " · ", link(hashFor("/triage", { chargingPointId: id }), "Its anomalies on the triage board")),
      h("h2", {}, "Energy timeline"),
      lines.length ? energyChart.figure : h("p", { class: "muted" }, "No energy recorded for this station yet."),
      h("h2", {}, "Daily history"),
      days.length ? historyChart.figure : historyTable,
      h(
        "section",
        { "aria-labelledby": "availability-title" },
        h("h2", { id: "availability-title" }, "Connectors and availability"),
        table(
          [
            { label: "Connector", cell: (c) => c.connectorId },
            { label: "Sessions", num: true, cell: (c) => fmt.num(c.totalSessions) },
            { label: "Anomalous", num: true, cell: (c) => fmt.num(c.anomalousSessions) },
            {
              label: "By category",
              cell: (c) =>
                Object.entries(c.anomalyCategories ?? {})
                  .map(([k, v]) => `${k} ${v}`)
                  .join(", ") || "–",
            },
          ],
          connectors.connectors,
          { caption: "Connectors", id: "connectors" },
        ),
        h(
          "p",
          { id: "outages" },
          !days.length
            ? "No SHADE result yet, so no connector outage has been judged."
            : outages.length
              ? `SHADE found a connector outage on ${outages.map((d) => d.day).join(", ")}.`
              : `SHADE found no connector outage in the last ${days.length} scored day(s).`,
        ),
        h("p", { class: "note" }, "Uptime per station is not served by the /v1 API; the tenant's uptime is on the overview."),
      ),
    ],
    after: async () => {
      if (lines.length) await plotLines(energyChart.plot, lines, markers, { yTitle: "kWh per hour", markerLabel: "SHADE" });
      if (days.length) await plotDays(historyChart.plot, days);
    },
  };
}
