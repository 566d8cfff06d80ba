// One session: energy, power and SoC over time with each anomaly's time range shaded and labelled,
// the findings (with their issues) and the explanation.

import { api } from "../api.js";
import { categoryStyle, chartFigure, plotPanels, SERIES } from "../charts.js";
import { fmt, h, hashFor, link, table } from "../dom.js";

// Units are normalised on ingest (kWh, kW, %); Wh and W are converted in case a store still holds them.
const MEASURANDS = [
  { key: "energy", measurand: "Energy.Active.Import.Register", title: "Energy (kWh)", scale: { Wh: 0.001 } },
  { key: "power", measurand: "Power.Active.Import", title: "Power (kW)", scale: { W: 0.001 } },
  { key: "soc", measurand: "SoC", title: "SoC (%)", scale: {} },
];

function panelsOf(meterValues) {
  return MEASURANDS.map((m) => {
    const points = meterValues
      .filter((v) => (v.measurand ?? "Energy.Active.Import.Register") === m.measurand)
      .map((v) => [v.timestamp, v.value * (m.scale[v.unit] ?? 1)])
      .sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
    return { ...m, ...SERIES[m.key], points };
  }).filter((p) => p.points.length);
}

// A range of zero length (one reading) is widened so that it can be seen: 1 % of the session's span.
function rangesOf(analysis, panels, vocab) {
  const times = panels.flatMap((p) => p.points.map((q) => Date.parse(q[0])));
  const span = times.length ? Math.max(...times) - Math.min(...times) : 0;
  return (analysis.anomalies ?? [])
    .filter((a) => a.timeRange?.startTimestamp && a.timeRange?.endTimestamp)
    .map((a) => {
      const start = Date.parse(a.timeRange.startTimestamp);
      const end = Math.max(Date.parse(a.timeRange.endTimestamp), start + Math.max(span * 0.01, 1000));
      const name = vocab.categories.find((c) => c.code === a.category)?.name ?? a.category;
      return {
        ...categoryStyle(a.category, vocab.categories),
        category: a.category,
        name,
        score: a.score,
        confidence: a.confidence,
        startIso: a.timeRange.startTimestamp,
        endIso: a.timeRange.endTimestamp,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        label: `${a.category} ${fmt.score(a.score)}`,
      };
    });
}

// POST writes the explanation once (templates, or the configured LLM) and answers from the cache after.
function explanation(id) {
  return api(`/v1/sessions/${encodeURIComponent(id)}/explain`, { method: "POST", body: { lang: "en" } });
}

export async function render({ params, query, vocab }) {
  const [id] = params;
  const path = `/v1/sessions/${encodeURIComponent(id)}`;
  const [detail, anomalies] = await Promise.all([
    api(path),
    api("/v1/anomalies", { query: { chargingSessionId: id, pageSize: 100 } }),
  ]);
  const explained = detail.analyzedAt ? explanation(id).catch((error) => ({ error })) : Promise.resolve(null);
  const station = query.station || anomalies.content[0]?.chargingPointId || null;
  const panels = panelsOf(detail.meterValues);
  const ranges = rangesOf(detail, panels, vocab);

  const findings = table(
    [
      {
        label: "Category",
        cell: (r) => h("span", {}, h("span", { class: "swatch", style: `background:${r.color}`, "aria-hidden": "true" }), `${r.name} (${r.category})`),
      },
      { label: "From", cell: (r) => fmt.time(r.startIso) },
      { label: "To", cell: (r) => fmt.time(r.endIso) },
      { label: "Score", num: true, cell: (r) => fmt.score(r.score) },
      { label: "Confidence", num: true, cell: (r) => fmt.score(r.confidence) },
    ],
    ranges,
    {
      caption: "Findings shaded in the chart",
      id: "findings",
      empty: detail.analyzedAt ? "No anomaly was found in this session." : "This session has not been analysed yet.",
      rowAttrs: (r) => ({ "data-category": r.category, "data-start": r.startIso, "data-end": r.endIso }),
    },
  );
  const chart = chartFigure(
    "session-chart",
    `Energy, power and state of charge over time with ${ranges.length} shaded finding(s), listed below.`,
    "Shaded: each anomaly's time range, outlined in its category's colour and dash and labelled with its category and score.",
    findings,
  );

  const issues = table(
    [
      { label: "Category", cell: (a) => a.anomalyType },
      { label: "Risk score", num: true, cell: (a) => fmt.score(a.aiRiskScore) },
      { label: "Connector", cell: (a) => a.connectorId },
      { label: "Occurred", cell: (a) => fmt.time(a.dateOfAnomalyOccurrence) },
      {
        label: "Issue",
        cell: (a) =>
          a.issues?.length
            ? a.issues.map((i) => h("span", { class: "badge", dataset: { issue: i.id } }, i.statusName))
            : "no issue",
      },
      { label: "Triage", cell: (a) => link(hashFor("/triage", { chargingSessionId: id }), "Open on the board") },
    ],
    anomalies.content,
    { caption: "Anomalies of this session", id: "session-anomalies", empty: "No anomalies recorded for this session." },
  );

  const explainBox = h("section", { class: "explanation", "aria-labelledby": "explain-title", "aria-busy": "true" }, h("h2", { id: "explain-title" }, "Explanation"), h("p", { class: "muted" }, "Writing…"));

  const facts = [
    ["Status", detail.status],
    ["Anomalous", fmt.yesNo(detail.isAnomaly)],
    ["Anomaly score", fmt.score(detail.anomalyScore)],
    ["Confidence", fmt.score(detail.anomalyConfidence)],
    ["Incident", fmt.yesNo(detail.isIncident)],
    ["Recurring", fmt.yesNo(detail.isRecurring)],
    ["Created", fmt.time(detail.createdAt)],
    ["Analysed", fmt.time(detail.analyzedAt)],
    ["SoC reconstructed", fmt.yesNo(detail.socReconstructed)],
  ];
  return {
    title: `Session ${id}`,
    nodes: [
      h("h1", {}, `Session ${id}`),
      station ? h("p", {}, "Station ", link(hashFor(`/stations/${encodeURIComponent(station)}`), station)) : null,
      detail.message ? h("p", { class: "note" }, detail.message) : null,
      h("dl", { class: "cards", id: "session-facts" }, facts.map(([k, v]) => h("div", { class: "card" }, h("dt", {}, k), h("dd", {}, v)))),
      panels.length ? chart.figure : h("p", { class: "muted" }, "This session has no meter values yet."),
      h("section", { "aria-labelledby": "anomalies-title" }, h("h2", { id: "anomalies-title" }, "Findings and issues"), issues),
      explainBox,
    ],
    after: async () => {
      if (panels.length) await plotPanels(chart.plot, panels, ranges);
      const result = await explained;
      explainBox.removeAttribute("aria-busy");
      const body =
        result === null
          ? [h("p", { class: "muted" }, "Nothing to explain until the session is analysed.")]
          : result.error
            ? [h("p", { class: "muted" }, `No explanation: ${result.error.message}`)]
            : result.explanation.split(/\n{2,}/).map((p) => h("p", {}, p));
      explainBox.replaceChildren(h("h2", { id: "explain-title" }, "Explanation"), ...body);
    },
  };
}
