// Time-series charts with plotly.js (served from the plotly wheel at /ui/vendor/), loaded only by the
// pages that draw one. Every chart is described by a table of what it shows (its text alternative).

import { h } from "./dom.js";

// Okabe–Ito without yellow (too faint as a line on white); past seven categories the dash changes too.
export const PALETTE = ["#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"];
const DASHES = ["solid", "dash", "dot", "dashdot"];
export const SERIES = {
  energy: { color: "#0072B2", dash: "solid" },
  power: { color: "#D55E00", dash: "dash" },
  soc: { color: "#009E73", dash: "dot" },
};

export function categoryStyle(code, categories) {
  const i = Math.max(0, categories.findIndex((c) => c.code === code));
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

let plotly = null;

export function loadPlotly() {
  plotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/ui/vendor/plotly.min.js";
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("The charting library could not be loaded."));
    document.head.append(script);
  });
  return plotly;
}

// A <figure> whose plot is described by `alternative` (a table or list) through aria-describedby.
export function chartFigure(id, label, caption, alternative) {
  const plot = h("div", { class: "chart", id: `${id}-plot`, role: "img", "aria-label": label, "aria-describedby": `${id}-alt` });
  const figure = h(
    "figure",
    { id },
    plot,
    h("figcaption", {}, caption),
    h("div", { id: `${id}-alt`, class: "chart-alt" }, alternative),
  );
  return { figure, plot };
}

const CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1b1f24" };

// Stacked panels over one time axis (energy, power, SoC: whichever the session has), each anomaly's
// time range shaded across all panels, outlined in its category's dash and labelled "CATEGORY score".
export async function plotPanels(plot, panels, ranges) {
  const Plotly = await loadPlotly();
  const n = panels.length;
  const gap = 0.06;
  const height = (1 - gap * (n - 1) - 0.08) / Math.max(n, 1);
  const layout = {
    font: FONT,
    height: 170 * n + 90,
    margin: { l: 56, r: 16, t: 16 + 18 * Math.min(ranges.length, 4), b: 40 },
    showlegend: false,
    hovermode: "x unified",
    shapes: [],
    annotations: [],
    xaxis: { type: "date", anchor: n ? `y${n === 1 ? "" : n}` : "y", automargin: true },
  };
  const traces = panels.map((panel, i) => {
    const axis = i === 0 ? "y" : `y${i + 1}`;
    const top = 1 - i * (height + gap);
    layout[i === 0 ? "yaxis" : `yaxis${i + 1}`] = {
      domain: [Math.max(0, top - height), top],
      title: { text: panel.title, standoff: 4 },
      automargin: true,
      zeroline: false,
    };
    return {
      type: "scatter",
      mode: panel.points.length > 80 ? "lines" : "lines+markers",
      name: panel.title,
      x: panel.points.map((p) => p[0]),
      y: panel.points.map((p) => p[1]),
      xaxis: "x",
      yaxis: axis,
      line: { color: panel.color, dash: panel.dash, width: 2 },
      marker: { size: 4 },
    };
  });
  ranges.forEach((range, i) => {
    layout.shapes.push({
      type: "rect",
      xref: "x",
      yref: "paper",
      x0: range.start,
      x1: range.end,
      y0: 0,
      y1: 1,
      fillcolor: range.color,
      opacity: 0.18,
      line: { color: range.color, width: 2, dash: range.dash },
      layer: "below",
      name: range.category,
    });
    layout.annotations.push({
      xref: "x",
      yref: "paper",
      x: range.start,
      y: 1,
      yshift: 6 + 18 * (i % 4),
      xanchor: "left",
      yanchor: "bottom",
      showarrow: false,
      text: range.label,
      font: { ...FONT, color: "#000" },
      bgcolor: "#ffffff",
      bordercolor: range.color,
      borderwidth: 2,
    });
  });
  await Plotly.newPlot(plot, traces, layout, CONFIG);
  plot.dataset.rendered = "true";
}

// Lines over time on one axis, with vertical markers (e.g. SHADE anomaly instants) labelled.
export async function plotLines(plot, lines, markers, { yTitle, markerLabel }) {
  const Plotly = await loadPlotly();
  const layout = {
    font: FONT,
    height: 360,
    margin: { l: 56, r: 16, t: 28, b: 40 },
    legend: { orientation: "h", y: -0.2 },
    xaxis: { type: "date", automargin: true },
    yaxis: { title: { text: yTitle }, automargin: true, rangemode: "tozero" },
    shapes: markers.map((at) => ({
      type: "line", xref: "x", yref: "paper", x0: at, x1: at, y0: 0, y1: 1,
      line: { color: "#D55E00", width: 2, dash: "dot" },
    })),
    annotations: markers.map((at, i) => ({
      xref: "x", yref: "paper", x: at, y: 1, yanchor: "bottom", yshift: (i % 2) * 12, showarrow: false,
      text: markerLabel, font: { ...FONT, size: 11, color: "#000" }, bgcolor: "#fff", bordercolor: "#D55E00", borderwidth: 1,
    })),
  };
  const traces = lines.map((line, i) => ({
    type: "scatter",
    mode: line.points.length > 48 ? "lines" : "lines+markers",
    name: line.name,
    x: line.points.map((p) => p[0]),
    y: line.points.map((p) => p[1]),
    line: { color: PALETTE[i % PALETTE.length], dash: DASHES[i % DASHES.length], width: 2 },
  }));
  await Plotly.newPlot(plot, traces, layout, CONFIG);
  plot.dataset.rendered = "true";
}

// Bars per day; anomalous days are vermillion and hatched, the others sky blue and plain.
export async function plotDays(plot, days) {
  const Plotly = await loadPlotly();
  const layout = {
    font: FONT,
    height: 260,
    margin: { l: 56, r: 16, t: 12, b: 40 },
    xaxis: { type: "category", automargin: true },
    yaxis: { title: { text: "SHADE day score" }, automargin: true, rangemode: "tozero" },
    showlegend: false,
  };
  const trace = {
    type: "bar",
    x: days.map((d) => d.day),
    y: days.map((d) => d.score),
    marker: {
      color: days.map((d) => (d.anomalous ? "#D55E00" : "#56B4E9")),
      pattern: { shape: days.map((d) => (d.anomalous ? "/" : "")), fgcolor: "#000", size: 6 },
      line: { color: "#1b1f24", width: 1 },
    },
  };
  await Plotly.newPlot(plot, [trace], layout, CONFIG);
  plot.dataset.rendered = "true";
}
