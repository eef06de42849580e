// The events of /timeline as a numbered list (the markers carry the same numbers): type,
// dates, summary, sources, and the corrections and retractions known at K.

import { get } from "./api.js";
import { day, el, fill, sourceLink, words } from "./dom.js";
import { eventTime } from "./timeline.js";

/** The timeline's items plus the events retracted as known at K (the timeline leaves those
 * out; a retraction names the event it retracts, so the page fetches that event), in order. */
export async function eventsOf(timeline, revisions, options = {}) {
  const shown = new Set(timeline.items.map((e) => e.id));
  const retractions = new Map();
  for (const r of revisions) {
    if (r.type === "EventRetracted") retractions.set(r.data.event_id, r);
    else retractions.delete(r.data.event_id); // a later correction reinstates it
  }
  const gone = [...retractions.keys()].filter((id) => !shown.has(id));
  const originals = await Promise.all(gone.map(async (id) => {
    const event = await get(`/v1/events/${encodeURIComponent(id)}`, {}, options);
    return { ...event, revised_by: [], retracted: retractions.get(id) };
  }));
  return [...timeline.items, ...originals].sort(
    (a, b) => eventTime(a) - eventTime(b) || a.position - b.position,
  );
}

/** Fill the list; `onDate(ms)` shows the state at an event's date. */
export function renderEvents(host, events, revisions, { onDate }) {
  const byId = new Map(revisions.map((r) => [r.id, r]));
  if (!events.length) {
    fill(host, el("li", { class: "empty" }, "No event concerns it, as known then."));
    return;
  }
  fill(host, events.map((event, i) => item(event, i, byId, onDate)));
}

function item(event, index, byId, onDate) {
  const corrections = (event.revised_by ?? []).map((id) => byId.get(id)).filter(Boolean);
  const badges = [];
  if (event.retracted) badges.push(el("span", { class: "badge badge-retracted" }, "retracted"));
  if (corrections.length) badges.push(el("span", { class: "badge badge-corrected" }, "corrected"));
  const when = event.effective_at
    ? el("time", { datetime: event.effective_at }, day(event.effective_at))
    : el("span", {}, "registry entry");
  const reported = event.reported_at !== event.effective_at
    ? el("span", { class: "reported" }, ` · reported ${day(event.reported_at)}`) : null;
  const sources = (event.sources ?? []).map((s) => el("li", {}, sourceLink(s)));
  const at = eventTime(event);
  return el("li", {
    id: `event-${event.id}`, class: `event${event.retracted ? " is-retracted" : ""}`,
    tabindex: -1, dataset: { id: event.id, type: event.type },
  },
  el("div", { class: "event-head" },
    el("span", { class: "event-number" }, `${index + 1}.`),
    el("strong", { class: "event-type" }, event.type), " ", badges,
    el("span", { class: "event-when" }, when, reported)),
  el("p", { class: "summary" }, event.summary || "(no summary)"),
  ids(event.data),
  corrections.map((c) => note("Corrected", c)),
  event.retracted ? note("Retracted", event.retracted) : null,
  sources.length ? el("details", { class: "sources" },
    el("summary", {}, `${sources.length} source${sources.length > 1 ? "s" : ""}`),
    el("ul", {}, sources)) : null,
  at !== null && event.effective_at
    ? el("button", { type: "button", class: "link-button", onclick: () => onDate(at) },
      `Show the state on ${day(event.effective_at)}`)
    : null);
}

/** What a revision changed, and why (its own summary and sources). */
function note(label, revision) {
  const changed = Object.keys(revision.data?.changes ?? {});
  const what = changed.length ? ` (${changed.map(words).join(", ")})` : "";
  return el("div", { class: `revision revision-${label.toLowerCase()}` },
    el("strong", {}, `${label} on ${day(revision.reported_at)}${what}: `),
    revision.summary || "",
    (revision.sources ?? []).length
      ? el("ul", { class: "revision-sources" }, revision.sources.map((s) => el("li", {}, sourceLink(s))))
      : null);
}

const ID_FIELDS = ["measure_id", "license_id", "agreement_id", "advisory_id", "case_id",
  "application_id", "group_id", "tariff_id", "announcement_id", "chip", "company"];

/** The object the event is about, so a reason in the state can be found here. */
function ids(data) {
  const found = ID_FIELDS.filter((f) => typeof data?.[f] === "string")
    .map((f) => `${words(f.replace(/_id$/, ""))} ${data[f]}`);
  return found.length ? el("p", { class: "event-ids" }, found.join(" · ")) : null;
}
