// The timeline as SVG: a time axis, one lane per destination with its status segments
// (colour, hatching and a text label), event markers numbered as in the event list, and
// lines at T (the state shown) and K (as known on). Drawn again whenever anything changes.

import { day, ms, svg } from "./dom.js";
import { changeTimes } from "./lanes.js";

const AXIS = 46;
const LANE = 30;
const GAP = 6;
const MARK = 22;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The time of an event on the picture: its effective_at, or for registry events (which
 * have no place in valid time) when it was reported. */
export function eventTime(event) {
  return ms(event.effective_at ?? event.reported_at);
}

/** Draw into `host`: {lanes, spans, events, t, k, pinned} and callbacks {onDate(ms),
 * onEvent(id)}. The picture spans the changes and the events in valid time, plus the
 * `pinned` times (T and K when chosen); registry entries, which have no place in valid
 * time, and a T of "today" sit at the edge when outside. */
export function drawTimeline(host, { lanes, spans, events, t, k, pinned }, { onDate, onEvent }) {
  const width = Math.max(320, host.clientWidth || 800);
  const longest = Math.max(4, ...lanes.map((l) => l.title.length));
  const gutter = Math.min(width < 600 ? 84 : 120, longest * 7.4 + 14);
  const right = 14;
  const valid = events.filter((e) => e.effective_at).map(eventTime);
  const domain = domainOf([...changeTimes(spans).map(ms), ...valid, ...pinned]);
  const x = (time) => gutter + ((Math.min(domain[1], Math.max(domain[0], time)) - domain[0]) /
    (domain[1] - domain[0])) * (width - gutter - right);
  const rows = stack(events.map((e) => x(eventTime(e))));
  const markTop = AXIS + lanes.length * (LANE + GAP) + 4;
  const height = markTop + (Math.max(...rows, 0) + 1) * MARK + 8;

  const picture = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-labelledby": "timeline-title timeline-desc", class: "timeline-svg",
  },
  svg("title", { id: "timeline-title" }, "Timeline"),
  svg("desc", { id: "timeline-desc" },
    `Lanes: ${lanes.map((l) => l.title).join(", ") || "none"}. ${events.length} events. ` +
    "The same spans and events are listed as text below."),
  defs());

  picture.append(axis(domain, x, height));
  // A click on the picture (not on a marker) shows the state at that date.
  picture.addEventListener("click", (event) => {
    if (event.target.closest(".marker")) return;
    const at = timeAt(event, picture, domain, gutter, width - right);
    if (at !== null) onDate(at);
  });
  lanes.forEach((lane, i) => picture.append(drawLane(lane, AXIS + i * (LANE + GAP), domain, x, gutter)));
  events.forEach((event, i) => picture.append(marker(event, i, x(eventTime(event)), markTop + rows[i] * MARK, onEvent)));
  const edge = (time) => (time > domain[1] ? " →" : time < domain[0] ? " ←" : "");
  if (k !== null) picture.append(cursor("k", x(k), height, width, `known ${day(new Date(k).toISOString())}${edge(k)}`));
  if (t !== null) picture.append(cursor("t", x(t), height, width, `T ${day(new Date(t).toISOString())}${edge(t)}`));
  host.replaceChildren(picture);
}

function domainOf(times) {
  const known = times.filter((v) => v !== null && v !== undefined && !Number.isNaN(v));
  const now = Date.now();
  let lo = known.length ? Math.min(...known) : now - 365 * 864e5;
  let hi = known.length ? Math.max(...known) : now;
  if (hi - lo < 60 * 864e5) { lo -= 30 * 864e5; hi += 30 * 864e5; }
  // room after the last change, so that the state it starts can be read
  return [lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.14];
}

/** Markers that would overlap go one row down. */
function stack(xs) {
  const ends = [];
  return xs.map((value) => {
    let row = ends.findIndex((end) => end < value - 20);
    if (row === -1) { row = ends.length; ends.push(value); } else ends[row] = value;
    return row;
  });
}

function defs() {
  return svg("defs", {},
    svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line" })));
}

function axis(domain, x, height) {
  const group = svg("g", { class: "axis", "aria-hidden": "true" });
  const months = (domain[1] - domain[0]) / (30.4 * 864e5);
  const width = x(domain[1]) - x(domain[0]);
  const step = [1, 2, 3, 6, 12, 24, 60].find((s) => months / s <= width / 72) ?? 120;
  const start = new Date(domain[0]);
  let year = start.getUTCFullYear();
  let month = Math.ceil((start.getUTCMonth() + 1) / step) * step;
  for (;;) {
    const tick = Date.UTC(year + Math.floor(month / 12), month % 12, 1);
    if (tick > domain[1]) break;
    const label = step >= 12 ? String(new Date(tick).getUTCFullYear())
      : `${MONTHS[new Date(tick).getUTCMonth()]} ${new Date(tick).getUTCFullYear()}`;
    group.append(svg("line", { x1: x(tick), x2: x(tick), y1: AXIS - 18, y2: height, class: "tick" }));
    if (x(tick) + label.length * 6.6 < x(domain[1])) {
      group.append(svg("text", { x: x(tick) + 3, y: AXIS - 8, class: "tick-label" }, label));
    }
    month += step;
  }
  return group;
}

function drawLane(lane, top, domain, x, gutter) {
  const group = svg("g", { class: "lane", "data-lane": lane.key });
  group.append(svg("text", { x: gutter - 8, y: top + LANE / 2 + 4, class: "lane-title" }, lane.title));
  for (const seg of lane.segments) {
    const x0 = x(Math.max(domain[0], ms(seg.from) ?? domain[0]));
    const x1 = x(Math.min(domain[1], ms(seg.to) ?? domain[1]));
    const width = Math.max(1, x1 - x0);
    const words = `${lane.title}: ${seg.label}${seg.note ? ` (${seg.note})` : ""}, ` +
      `${seg.from ? `from ${day(seg.from)}` : "from the start"}` +
      `${seg.to ? ` to ${day(seg.to)}` : " on"}`;
    const part = svg("g", {
      class: `segment status-${seg.status}`, "data-status": seg.status,
      "data-from": seg.from ?? "", "data-to": seg.to ?? "",
    }, svg("title", {}, words), svg("rect", { x: x0, y: top, width, height: LANE, rx: 3 }));
    if (seg.status === "banned" || seg.status === "halted") {
      part.append(svg("rect", { x: x0, y: top, width, height: LANE, rx: 3, class: "hatch" }));
    }
    const text = (seg.note && fit(`${seg.label} · ${seg.note}`, width, false)) || fit(seg.label, width);
    if (text) part.append(svg("text", { x: x0 + 5, y: top + LANE / 2 + 4, class: "segment-label" }, text));
    group.append(part);
  }
  return group;
}

/** The label, shortened to what fits (a text label is the point: colour is not enough). */
function fit(label, width, shorten = true) {
  const room = Math.floor((width - 8) / 6.6);
  if (room >= label.length) return label;
  if (shorten && room >= 4) return `${label.slice(0, room - 1)}…`;
  return "";
}

function marker(event, index, cx, top, onEvent) {
  const classes = ["marker"];
  if (event.retracted) classes.push("retracted");
  if (event.revised_by?.length) classes.push("corrected");
  if (event.effective_at === null) classes.push("registry");
  const state = event.retracted ? " (retracted)" : event.revised_by?.length ? " (corrected)" : "";
  const group = svg("g", {
    class: classes.join(" "), "data-id": event.id, "data-type": event.type,
  }, svg("title", {}, `${index + 1}. ${event.type}${state}, ${day(event.effective_at ?? event.reported_at)}: ${event.summary ?? ""}`),
  svg("circle", { cx, cy: top + 10, r: 9 }),
  svg("text", { x: cx, y: top + 14, class: "marker-label" }, String(index + 1)));
  group.addEventListener("click", () => onEvent(event.id));
  return group;
}

function cursor(kind, at, height, width, label) {
  const before = at > width * 0.75; // near the right edge the label goes to the left
  return svg("g", { class: `cursor cursor-${kind}`, "aria-hidden": "true" },
    svg("line", { x1: at, x2: at, y1: kind === "t" ? 2 : 16, y2: height }),
    svg("text", {
      x: before ? at - 4 : at + 4, y: kind === "t" ? 11 : 25, class: "cursor-label",
      "text-anchor": before ? "end" : "start",
    }, label));
}

function timeAt(event, picture, domain, left, right) {
  const box = picture.getBoundingClientRect();
  const scale = box.width / Number(picture.getAttribute("width"));
  const fraction = ((event.clientX - box.left) / scale - left) / (right - left);
  if (fraction < 0 || fraction > 1) return null;
  return domain[0] + fraction * (domain[1] - domain[0]);
}
