// The export check (GET /v1/checks/export) as a small form: may E export C to D (for U)
// at T, as known at K, and why. Offered only when the served API lists the route.

import { get, offers } from "./api.js";
import { day, el, fill, sourceLink, words } from "./dom.js";
import { STATUS_LABEL } from "./lanes.js";

const ROUTE = "/v1/checks/export";

/** Wire the form; `coordinates()` gives the page's {asOf, knownAt}. */
export async function setUpCheck(form, output, coordinates) {
  const available = await offers(ROUTE);
  form.dataset.available = String(available);
  for (const control of form.querySelectorAll("input, button")) control.disabled = !available;
  if (!available) {
    fill(output, el("p", { class: "unavailable" },
      "The export check is not available on this server (its API does not offer ",
      el("code", {}, ROUTE), ")."));
    return;
  }
  fill(output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const { asOf, knownAt } = coordinates();
    const params = {
      chip: data.get("chip").trim().toLowerCase(),
      destination: data.get("destination").trim().toUpperCase(),
      exporter: data.get("exporter").trim().toLowerCase(),
      end_user: data.get("end_user").trim().toLowerCase(),
      as_of: asOf,
      known_at: knownAt,
    };
    output.setAttribute("aria-busy", "true");
    try {
      fill(output, answer(await get(ROUTE, params)));
    } catch (error) {
      fill(output, el("p", { class: "error", role: "alert" }, `The check was refused: ${error.message}`));
    } finally {
      output.removeAttribute("aria-busy");
    }
  });
}

/** Put the subject into the form when the person has not typed their own. */
export function suggest(form, { chip, destination, exporter }) {
  const set = (name, value) => {
    const input = form.elements[name];
    if (input && value && (!input.value || input.dataset.suggested === "true")) {
      input.value = value;
      input.dataset.suggested = "true";
    }
  };
  set("chip", chip);
  set("destination", destination);
  set("exporter", exporter);
}

function answer(check) {
  const label = STATUS_LABEL[check.decision] ?? words(check.decision);
  const jurisdictions = Object.entries(check.by_jurisdiction)
    .map(([j, s]) => `${j}: ${STATUS_LABEL[s] ?? s}`).join("; ");
  return el("div", { class: "check-answer", dataset: { decision: check.decision } },
    el("p", { class: "decision" },
      el("span", { class: `status-chip status-${check.decision}` }, label),
      ` — ${check.exporter} exporting ${check.chip} to ${check.destination}`,
      check.end_user ? ` for ${check.end_user}` : "",
      ` on ${day(check.as_of)}, as known on ${day(check.known_at)}.`),
    jurisdictions ? el("p", {}, `By jurisdiction: ${jurisdictions}`,
      check.review_policy ? `; review policy: ${words(check.review_policy)}` : "") : null,
    block("Reasons", check.reasons, reason),
    block("Licence exceptions", check.exceptions, (x) => `${x.exception_id} of ${x.measure_id}`),
    block("Pending applications", check.pending_applications, (id) => id),
    block("Duties", check.duties, (d) => `${d.tariff_id}: ${d.rate_percent} % ${d.direction} duty (${d.authority})`),
    block("Revenue share", check.revenue_share, (a) => `${a.agreement_id}: ${a.percent} % to ${a.beneficiary}`),
    block("Advisories at the destination", check.destination_advisories,
      (a) => `${a.advisory_id}: ${words(a.guidance)} (${a.authority})`),
    block("Suspended measures", check.suspended_measures, (s) => `${s.measure_id} since ${day(s.since)}`),
    block("Announcements", check.announcements, (a) => `${a.announcement_id} by ${a.authority}`),
    block("Upcoming", check.upcoming, (u) => `${day(u.effective_at)} ${u.kind} ${u.id}`),
    block("Could not be checked (a spec is missing)", check.unknowns,
      (u) => `${u.measure_id} clause ${u.clause + 1}: ${u.missing.join(", ")}`),
    el("p", { class: "disclaimer" }, "Decision support computed from the recorded events and their sources; not legal advice."));
}

function reason(r) {
  const how = r.matched_by ? (r.matched_by.by === "named" ? ", names it" : `, criteria clause ${r.matched_by.index + 1}`) : "";
  return [
    `${words(r.kind)} `, el("code", {}, r.id), ` (${r.jurisdiction}): ${STATUS_LABEL[r.effect] ?? words(r.effect)}`,
    how, r.via ? `, via ${r.via}` : "", r.review_policy ? `, ${words(r.review_policy)}` : "",
    r.company ? `, end user ${r.company}` : "", r.via_owners?.length ? ` through ${r.via_owners.join(", ")}` : "",
    r.sources.length ? el("ul", { class: "reason-sources" }, r.sources.map((s) => el("li", {}, sourceLink(s)))) : null,
  ];
}

function block(title, items, render) {
  if (!items?.length) return null;
  return el("section", { class: "facts" }, el("h4", {}, title),
    el("ul", {}, items.map((item) => el("li", {}, render(item)))));
}
