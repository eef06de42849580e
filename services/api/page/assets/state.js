// The full state at T, as known at K, beside the timeline, with the "why": for each
// destination the measures (how they match, through which group), licences, review
// policy, exceptions and pending applications; duties, suspensions, announcements,
// advisories, investigations, production; for a company its owners and holdings.

import { get, subjectPath } from "./api.js";
import { day, el, fill, words } from "./dom.js";
import { STATUS_LABEL } from "./lanes.js";

/** Read the state and draw it; `links.events(id)` lists the numbers of an object's events
 * in the event list, `links.pick(kind, id)` opens another chip or company. */
export async function showState(host, subject, { asOf, knownAt }, links, options = {}) {
  const coordinates = { as_of: asOf, known_at: knownAt };
  const state = await get(subjectPath(subject), coordinates, options);
  const groups = await groupsOf(state, coordinates, options);
  if (options.signal?.aborted) return state;
  const body = subject.kind === "chip" ? chipState(state, groups, links) : companyState(state, links);
  fill(host,
    el("p", { class: "coordinates" },
      `${state.name} (${subject.id}) on ${day(state.as_of)}, as known on ${day(state.known_at)}, `,
      `log position ${state.position}.`),
    body);
  return state;
}

/** The destination groups the export status goes through, as they were at T. */
async function groupsOf(state, coordinates, options) {
  const ids = new Set();
  for (const entry of Object.values(state.export ?? {})) {
    for (const via of Object.values(entry.via ?? {})) {
      if (via.startsWith("group:")) ids.add(via.slice("group:".length));
    }
  }
  const found = await Promise.all([...ids].map((id) => get(`/v1/groups/${encodeURIComponent(id)}`,
    coordinates, options).catch(() => null)));
  return new Map(found.filter(Boolean).map((g) => [g.group_id, g]));
}

function chipState(state, groups, links) {
  const destinations = Object.entries(state.export ?? {});
  return [
    section("Export", destinations.length
      ? el("ul", { class: "destinations" }, destinations.map(([code, entry]) => destination(code, entry, groups, links)))
      : el("p", {}, "No measure in force restricts it: unrestricted everywhere.")),
    list("Suspended measures", state.suspended_measures, (s) => [
      el("code", {}, s.measure_id), ` suspended since ${day(s.since)}`,
      s.until ? `, until ${day(s.until)}` : ", until further notice", refs(links, s.measure_id)]),
    list("End-user restrictions", state.end_user_restrictions, (r) => [
      el("code", {}, r.measure_id), ` ${words(r.control)} for ${r.companies.join(", ")} `,
      `to ${r.destinations.join(", ") || "nowhere at T"}`, refs(links, r.measure_id)]),
    list("Duties", state.duties, duty(links)),
    list("Announcements (no legal effect yet)", state.announcements, announcement(links)),
    list("Revenue share", state.revenue_share, (a) => [
      el("code", {}, a.agreement_id), ` ${a.percent} % to ${a.beneficiary} by ${a.company}`,
      ` for ${a.destinations.join(", ")}`, refs(links, a.agreement_id)]),
    list("Advisories", state.advisories, advisory(links)),
    list("Investigations", state.investigations, investigation(links)),
    section("Production", el("p", { class: `production production-${state.production.status}` },
      state.production.status === "halted"
        ? `halted since ${day(state.production.since)} by ${state.production.halted_by.join(", ")}; ` +
          `suppliers told to stop: ${state.production.suppliers.join(", ") || "none named"}`
        : "active")),
    list("Upcoming", state.upcoming, (u) => [
      el("time", { datetime: u.effective_at }, day(u.effective_at)), ` ${u.kind} `, el("code", {}, u.id)]),
    list("Anomalies", state.anomalies, (a) => JSON.stringify(a)),
  ];
}

function destination(code, entry, groups, links) {
  const jurisdictions = Object.entries(entry.by_jurisdiction)
    .map(([j, status]) => `${j}: ${STATUS_LABEL[status] ?? status}`).join("; ");
  return el("li", { class: "destination", dataset: { destination: code, status: entry.status } },
    el("h4", {}, `${code}: `,
      el("span", { class: `status-chip status-${entry.status}` }, STATUS_LABEL[entry.status] ?? entry.status)),
    el("p", {}, `by jurisdiction: ${jurisdictions}`,
      entry.review_policy ? `; review policy: ${words(entry.review_policy)}` : ""),
    el("ul", { class: "reasons" },
      entry.measures.map((id) => el("li", {}, "measure ", el("code", {}, id), " — ",
        matched(entry.matched_by?.[id]), via(entry.via?.[id], groups), refs(links, id))),
      entry.licenses.map((id) => el("li", {}, "licence ", el("code", {}, id), " — active, names it and ",
        code, refs(links, id))),
      (entry.exceptions ?? []).map((x) => el("li", {}, "licence exception ", el("code", {}, x.exception_id),
        ` of ${x.measure_id}`, x.conditions ? `: ${x.conditions}` : "")),
      (entry.pending_applications ?? []).map((id) => el("li", {}, "pending application ",
        el("code", {}, id), refs(links, id)))));
}

function matched(match) {
  if (!match) return "";
  return match.by === "named" ? "names the chip" : `its criteria clause ${match.index + 1} covers the chip`;
}

function via(entry, groups) {
  if (!entry) return "";
  if (!entry.startsWith("group:")) return `, reaches it as ${entry}`;
  const group = groups.get(entry.slice("group:".length));
  if (!group) return `, through ${entry}`;
  return `, through the group ${group.name} (${entry}; members then: ${group.members.join(", ") || "none"})`;
}

function companyState(state, links) {
  const chip = (id) => el("button", { type: "button", class: "link-button", onclick: () => links.pick("chip", id) }, id);
  return [
    list("Licences held", state.licenses, (l) => [
      el("code", {}, l.license_id), ` (${l.authority}, ${l.jurisdiction}) for `, l.chips.join(", "),
      ` to ${l.destinations.join(", ")}`, l.expires_at ? `, expires ${day(l.expires_at)}` : "", refs(links, l.license_id)]),
    list("Export restrictions (as an end user)", state.export_restrictions, (r) => [
      el("code", {}, r.measure_id), ` ${words(r.control)} (${r.authority}, ${r.jurisdiction}) to `,
      r.destinations.join(", ") || "nowhere at T",
      r.via ? `, through its owners ${r.via.owners.join(", ")} (${r.via.percent} % together)` : ", names it",
      refs(links, r.measure_id)]),
    list("Pending applications", state.applications, (a) => [
      el("code", {}, a.application_id), ` (${a.authority}) for ${a.chips.join(", ")} to ${a.destinations.join(", ")}`,
      refs(links, a.application_id)]),
    list("Owners", state.owners, (o) => [
      el("button", { type: "button", class: "link-button", onclick: () => links.pick("company", o.owner) }, o.owner),
      ` holds ${o.percent} %`]),
    list("Holdings", state.holdings, (h) => [
      el("button", { type: "button", class: "link-button", onclick: () => links.pick("company", h.owned) }, h.owned),
      ` — ${h.percent} %`]),
    list("Revenue share", state.revenue_share, (a) => [
      el("code", {}, a.agreement_id), ` ${a.percent} % to ${a.beneficiary} for ${a.chips.join(", ")}`,
      ` to ${a.destinations.join(", ")}`, refs(links, a.agreement_id)]),
    list("Announcements (no legal effect yet)", state.announcements, announcement(links)),
    list("Advisories naming it", state.advisories, advisory(links)),
    list("Investigations", state.investigations, investigation(links)),
    list("Production halts it ordered", state.production_halts, (h) => [
      chip(h.chip), ` since ${day(h.since)}; suppliers: ${h.suppliers.join(", ")}`]),
    list("Halts it was told to follow", state.production_orders_received, (o) => [
      `${o.company} halted `, chip(o.chip), ` since ${day(o.since)}`]),
    section("Chips it makes", state.chips.length
      ? el("ul", { class: "inline" }, state.chips.map((id) => el("li", {}, chip(id)))) : el("p", {}, "none")),
    list("Anomalies", state.anomalies, (a) => JSON.stringify(a)),
  ];
}

function duty(links) {
  return (d) => [el("code", {}, d.tariff_id), ` ${d.rate_percent} % ${d.direction} duty (${d.authority}, `,
    `${d.basis || d.jurisdiction})`, d.destinations.length ? ` for ${d.destinations.join(", ")}` : "",
    refs(links, d.tariff_id)];
}

function announcement(links) {
  return (a) => [el("code", {}, a.announcement_id), ` by ${a.authority}`,
    a.destinations.length ? ` for ${a.destinations.join(", ")}` : "",
    a.expected_effective_at ? `, expected ${day(a.expected_effective_at)}` : "", refs(links, a.announcement_id)];
}

function advisory(links) {
  return (a) => [el("code", {}, a.advisory_id), ` ${words(a.guidance)} (${a.authority}, ${a.jurisdiction})`,
    refs(links, a.advisory_id)];
}

function investigation(links) {
  return (c) => [el("code", {}, c.case_id), ` ${c.kind} by ${c.authority}: ${c.status}`,
    c.finding ? ` (${words(c.finding)})` : "", refs(links, c.case_id)];
}

/** " — events 3, 5": links to the object's events in the list (the sources are there). */
function refs(links, id) {
  const numbers = links.events(id);
  if (!numbers.length) return null;
  return el("span", { class: "refs" }, ` — event${numbers.length > 1 ? "s" : ""} `,
    numbers.flatMap(({ number, eventId }, i) => [i ? ", " : "",
      el("a", { href: `#event-${eventId}`, onclick: (e) => { e.preventDefault(); links.focus(eventId); } },
        String(number))]));
}

function list(title, items, render) {
  if (!items?.length) return null;
  return section(title, el("ul", {}, items.map((item) => el("li", {}, render(item)))));
}

function section(title, content) {
  return el("section", { class: "facts" }, el("h3", {}, title), content);
}
