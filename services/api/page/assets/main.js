// The page's controller: which subject, T and K; reads through api.js, draws through the
// other modules, follows the live stream. The address keeps the choice
// (#chip=h20&known=2025-04-12&at=2025-08-23), so a view can be bookmarked or shared.

import { subjectLog } from "./api.js";
import { setUpCheck, suggest } from "./check.js";
import { day, el, endOfDay, fill, isoDay } from "./dom.js";
import { eventsOf, renderEvents } from "./events.js";
import { lanesOf } from "./lanes.js";
import { Live } from "./live.js";
import { Picker } from "./picker.js";
import { showState } from "./state.js";
import { drawTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const view = { subject: null, knownAt: "", asOf: "", log: null, events: [], lanes: [] };
let reading = null;
let stateReading = null;

const picker = new Picker($("picker"), $("subject-search"), $("picker-results"), (s) => pick(s));
const live = new Live(onLiveEvent, (state) => {
  $("live").dataset.state = state;
  $("live").textContent = `Live updates: ${state}`;
});

$("known-at").max = isoDay(Date.now());
$("known-at").addEventListener("change", () => { view.knownAt = $("known-at").value; remember(); refresh(); });
$("as-of").addEventListener("change", () => { view.asOf = $("as-of").value; remember(); redraw(); refreshState(); });
$("known-today").addEventListener("click", () => { $("known-at").value = ""; $("known-at").dispatchEvent(new Event("change")); });
$("as-of-today").addEventListener("click", () => { $("as-of").value = ""; $("as-of").dispatchEvent(new Event("change")); });
new ResizeObserver(() => redraw()).observe($("timeline"));
setUpCheck($("check"), $("check-answer"), () => ({ asOf: view.asOf, knownAt: view.knownAt }));
start();

async function start() {
  const wanted = new URLSearchParams(location.hash.slice(1));
  view.knownAt = wanted.get("known") ?? "";
  view.asOf = wanted.get("at") ?? "";
  $("known-at").value = view.knownAt;
  $("as-of").value = view.asOf;
  const kind = ["chip", "company"].find((k) => wanted.has(k));
  if (kind) pick({ kind, id: wanted.get(kind) }, false); // read at once, named when the lists come
  try {
    const subjects = await picker.load();
    const chips = subjects.filter((s) => s.kind === "chip").slice(0, 6);
    fill($("quick-picks"), chips.length ? "Or start with: " : "", chips.flatMap((s, i) => [i ? " " : "",
      el("button", { type: "button", class: "link-button", onclick: () => pick(s) }, s.name ?? s.id)]));
    const named = kind && picker.find(kind, view.subject?.id);
    if (named && view.subject.kind === kind) { view.subject = named; title(named); }
  } catch (error) {
    say(`The API did not answer: ${error.message}`);
  }
}

function title(subject) {
  $("subject-title").textContent = `${subject.name ?? subject.id} (${subject.kind} ${subject.id})`;
}

function pick(subject, focus = true) {
  view.subject = subject;
  $("intro").hidden = true;
  $("timeline-section").hidden = false;
  title(subject);
  remember();
  refresh().then(() => { if (focus) $("subject-title").focus(); });
}

function remember() {
  const parts = new URLSearchParams();
  if (view.subject) parts.set(view.subject.kind, view.subject.id);
  if (view.knownAt) parts.set("known", view.knownAt);
  if (view.asOf) parts.set("at", view.asOf);
  history.replaceState(null, "", `#${parts}`);
}

/** Read the subject's history, timeline and revisions as known at K, then draw it all. */
async function refresh() {
  if (!view.subject) return;
  reading?.abort();
  const controller = new AbortController();
  reading = controller;
  const subject = view.subject;
  say(`Reading ${subject.id}…`);
  try {
    const log = await subjectLog(subject, view.knownAt, { signal: controller.signal });
    const events = await eventsOf(log.timeline, log.revisions, { signal: controller.signal });
    if (controller.signal.aborted) return;
    Object.assign(view, { log, events, lanes: lanesOf(subject.kind, log.history.spans) });
    redraw();
    renderEvents($("events"), view.events, log.revisions, { onDate: showDate });
    laneTable();
    suggestCheck();
    const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    say(`${subject.id}: ${count(view.lanes.length, "lane")}, ${count(view.events.length, "event")}, ` +
      `as known on ${day(log.history.known_at)}.`);
    live.follow(subject, log.history.position);
    await refreshState();
  } catch (error) {
    if (error.name !== "AbortError") say(`Could not read ${subject.id}: ${error.message}`);
  }
}

async function refreshState() {
  if (!view.subject) return;
  const links = {
    events: (id) => view.events.flatMap((e, i) => mentions(e, id) ? [{ number: i + 1, eventId: e.id }] : []),
    focus: focusEvent,
    pick: (kind, id) => pick(picker.find(kind, id) ?? { kind, id }),
  };
  $("state-title").textContent = `State on ${view.asOf ? day(view.asOf) : "today"}` +
    `${view.knownAt ? `, as known on ${day(view.knownAt)}` : ""}`;
  stateReading?.abort(); // a newer T or K wins over a read still on its way
  const controller = new AbortController();
  stateReading = controller;
  try {
    await showState($("state"), view.subject, { asOf: view.asOf, knownAt: view.knownAt }, links,
      { signal: controller.signal });
  } catch (error) {
    if (error.name !== "AbortError") fill($("state"), el("p", { class: "error" }, `No state: ${error.message}`));
  }
}

function redraw() {
  if (!view.log) return;
  drawTimeline($("timeline"), {
    lanes: view.lanes, spans: view.log.history.spans, events: view.events,
    t: view.asOf ? endOfDay(view.asOf) : Date.now(),
    k: view.knownAt ? endOfDay(view.knownAt) : null,
    pinned: [view.asOf, view.knownAt].filter(Boolean).map(endOfDay),
  }, { onDate: showDate, onEvent: focusEvent });
}

function showDate(time) {
  view.asOf = isoDay(time);
  $("as-of").value = view.asOf;
  remember();
  redraw();
  refreshState();
}

function focusEvent(id) {
  const item = document.getElementById(`event-${id}`);
  if (!item) return;
  for (const other of document.querySelectorAll(".event.is-focused")) other.classList.remove("is-focused");
  item.classList.add("is-focused");
  item.focus();
}

function mentions(event, id) {
  return Object.entries(event.data ?? {}).some(([field, value]) => field.endsWith("_id") && value === id);
}

/** The lanes as a table, each span with the events that started it (when served). */
function laneTable() {
  const numbers = new Map(view.events.map((e, i) => [e.id, i + 1]));
  const started = (ids) => ids.filter((id) => numbers.has(id)).flatMap((id, i) => [i ? ", " : "",
    el("a", { href: `#event-${id}`, onclick: (e) => { e.preventDefault(); focusEvent(id); } },
      String(numbers.get(id)))]);
  const rows = view.lanes.flatMap((lane) => lane.segments.map((s) => el("tr", { dataset: { lane: lane.key, status: s.status } },
    el("th", { scope: "row" }, lane.title), el("td", {}, s.from ? day(s.from) : "the start"),
    el("td", {}, s.to ? day(s.to) : "now"), el("td", {}, s.label, s.note ? ` (${s.note})` : ""),
    el("td", {}, started(s.events)))));
  fill($("lane-table").tBodies[0], rows);
}

function suggestCheck() {
  const subject = view.subject;
  const chip = subject.kind === "chip" ? subject.id : view.log.history.spans.at(-1)?.state.chips?.[0];
  const destination = view.lanes.find((l) => l.key !== "production")?.key;
  suggest($("check"), { chip, destination, exporter: subject.kind === "company" ? subject.id : null });
}

/** A new event of the subject: read everything again (a burst of events, once). */
function onLiveEvent(event) {
  const news = `New event: ${event.type}${event.summary ? ` — ${event.summary}` : ""}`;
  say(news);
  clearTimeout(onLiveEvent.timer);
  onLiveEvent.timer = setTimeout(async () => {
    await refresh();
    const revision = event.type === "EventCorrected" || event.type === "EventRetracted";
    const item = document.getElementById(`event-${revision ? event.data.event_id : event.id}`);
    item?.classList.add("is-new");
    say(item ? news : `${news} (not shown: reported after the "as known on" date)`);
  }, 200);
}

function say(text) {
  $("status").textContent = text;
}
