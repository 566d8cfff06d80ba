// Building elements and formatting values. Text always goes in as text nodes, never as HTML:
// session and station ids are whatever the charging backends sent.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// A table; each column is {label, cell: row => node or text, num?: true}. Narrow screens show each row
// as a list of label/value pairs (style.css, table.responsive).
export function table(columns, rows, { caption, empty = "Nothing to show.", id, rowAttrs = () => ({}) } = {}) {
  if (!rows.length) return h("p", { class: "muted", id }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "responsive", id },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            rowAttrs(row),
            columns.map((c) => h("td", { class: c.num ? "num" : null, "data-label": c.label }, c.cell(row) ?? "–")),
          ),
        ),
      ),
    ),
  );
}

export function link(href, text) {
  return h("a", { href }, text);
}

export function hashFor(path, query = {}) {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== "" && v !== null && v !== undefined));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export const fmt = {
  time: (iso) => (iso ? timeFormat.format(new Date(iso)) : "–"),
  day: (iso) => (iso ? dayFormat.format(new Date(iso)) : "–"),
  num: (v, digits = 0) =>
    v === null || v === undefined ? "–" : Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits }),
  score: (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(2)),
  yesNo: (v) =>
    v === null || v === undefined ? "–" : h("span", { class: `badge ${v ? "yes" : "no"}` }, v ? "yes" : "no"),
};
