// Small DOM and date helpers. Text always goes in through textContent, never as HTML:
// summaries and titles come from the log and are shown exactly as recorded.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An element: el("li", {class: "x", dataset: {id: "1"}}, "text", child, …). */
export function el(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, the same way. */
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link to a source, or its title alone when it has no http(s) URL. */
export function sourceLink(source) {
  const words = [source.title, source.publisher && `(${source.publisher})`]
    .filter(Boolean)
    .join(" ");
  const url = source.url && /^https?:\/\//i.test(source.url) ? source.url : null;
  const date = source.published_at ? ` ${day(source.published_at)}` : "";
  if (!url) return el("span", { class: "source" }, words, date);
  return el("span", { class: "source" },
    el("a", { href: url, rel: "noopener noreferrer external", target: "_blank" }, words), date);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2025-08-22T00:00:00Z" → "22 Aug 2025" (UTC, as the log's clocks are). */
export function day(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** The UTC calendar day of a time, as the value of an <input type=date>. */
export function isoDay(value) {
  return new Date(value).toISOString().slice(0, 10);
}

/** Milliseconds of an ISO time, or null. */
export function ms(iso) {
  return iso ? Date.parse(iso) : null;
}

/** The end of a bare UTC day, as the API reads a date used as a point. */
export function endOfDay(date) {
  return Date.parse(`${date}T23:59:59.999Z`);
}

/** "license_required" → "license required": the API's words, readable. */
export function words(token) {
  return String(token ?? "").replaceAll("_", " ");
}

/** Replace a container's content. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}
