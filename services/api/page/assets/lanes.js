// From /history spans to lanes: one lane per destination (and one for production), each a
// run of segments with a status and a text label, so that the picture reads without colour.

/** The words shown for each status (the API's tokens are the keys). */
export const STATUS_LABEL = {
  banned: "banned",
  license_required: "licence required",
  licensed: "licensed",
  unrestricted: "unrestricted",
  pending: "application pending",
  active: "active",
  halted: "halted",
  none: "no halt",
};

/** Lanes of a subject's history:
 * [{key, title, segments: [{from, to, status, label, note, events}]}]. */
export function lanesOf(kind, spans) {
  const lanes = kind === "chip" ? chipLanes(spans) : companyLanes(spans);
  return lanes.map((lane) => ({ ...lane, segments: merge(lane.segments) }));
}

function chipLanes(spans) {
  const destinations = unique(spans.flatMap((s) => Object.keys(s.state.export ?? {})));
  const lanes = destinations.map((code) => ({
    key: code,
    title: code,
    segments: spans.map((span) => segment(span, chipStatus(span.state.export?.[code]))),
  }));
  lanes.push({
    key: "production",
    title: "Production",
    segments: spans.map((span) => segment(span, production(span.state.production))),
  });
  return lanes;
}

function chipStatus(entry) {
  if (!entry) return { status: "unrestricted" };
  const notes = [];
  if (entry.review_policy) notes.push(entry.review_policy.replaceAll("_", " "));
  if (entry.pending_applications?.length) notes.push("application pending");
  return { status: entry.status, note: notes.join(", ") };
}

function production(value) {
  if (value?.status !== "halted") return { status: "active" };
  return { status: "halted", note: `by ${value.halted_by.join(", ")}` };
}

function companyLanes(spans) {
  const reach = (s) => [
    ...(s.state.export_restrictions ?? []).flatMap((r) => r.destinations),
    ...(s.state.licenses ?? []).flatMap((l) => l.destinations),
    ...(s.state.applications ?? []).flatMap((a) => a.destinations),
  ];
  const destinations = unique(spans.flatMap(reach));
  const lanes = destinations.map((code) => ({
    key: code,
    title: code,
    segments: spans.map((span) => segment(span, companyStatus(span.state, code))),
  }));
  const halts = (s) => (s.state.production_halts ?? []).map((h) => h.chip);
  if (spans.some((s) => halts(s).length)) {
    lanes.push({
      key: "production",
      title: "Production",
      segments: spans.map((span) => {
        const chips = halts(span);
        const value = chips.length ? { status: "halted", note: chips.join(", ") } : { status: "none" };
        return segment(span, value);
      }),
    });
  }
  return lanes;
}

function companyStatus(state, code) {
  const names = (list) => list.filter((x) => x.destinations.includes(code));
  const restrictions = names(state.export_restrictions ?? []);
  const licences = names(state.licenses ?? []);
  const applications = names(state.applications ?? []);
  if (restrictions.some((r) => r.control === "ban")) return { status: "banned", note: "end user" };
  if (restrictions.length && !licences.length) return { status: "license_required", note: "end user" };
  const chips = (list) => unique(list.flatMap((x) => x.chips)).join(", ");
  const pending = applications.length ? `application pending: ${chips(applications)}` : "";
  if (licences.length) {
    return { status: "licensed", note: [chips(licences), pending].filter(Boolean).join("; ") };
  }
  if (applications.length) return { status: "pending", note: chips(applications) };
  return { status: "unrestricted" };
}

/** `events`: the ids of the events whose effect starts the span (served by /history). */
function segment(span, { status, note = "" }) {
  const label = STATUS_LABEL[status] ?? status;
  return { from: span.from, to: span.to, status, note, label, events: span.events ?? [] };
}

/** Neighbours with the same status and note become one segment. */
function merge(segments) {
  const out = [];
  for (const s of segments) {
    const last = out.at(-1);
    if (last && last.status === s.status && last.note === s.note && last.to === s.from) {
      last.to = s.to;
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

function unique(values) {
  return [...new Set(values)].sort();
}

/** Every time a lane changes, for the picture's time domain. */
export function changeTimes(spans) {
  return spans.flatMap((s) => [s.from, s.to]).filter(Boolean);
}
