// The page's only way to the service: the public /v1 API (docs/api.md, docs/http.md),
// read anonymously (public reads), exactly as any other client would.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** GET a JSON answer; a problem document becomes an ApiError carrying it. */
export async function get(path, params = {}, { signal } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  // An answer at a fixed position never changes (docs/http.md, "Caching"); any other may
  // have changed within its max-age, and the page must show what the stream just told it.
  const cache = url.searchParams.has("at_position") ? "default" : "no-cache";
  const response = await fetch(url, { headers: { Accept: "application/json" }, signal, cache });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** Every item of a paged list (follow `next` until null; a short page is not the end). */
export async function all(path, params = {}, options = {}) {
  const items = [];
  let after = null;
  for (let page = 0; page < 50; page += 1) {
    const body = await get(path, { ...params, limit: 1000, after }, options);
    items.push(...body.items);
    if (body.next === null || body.next === undefined) return items;
    after = body.next;
  }
  return items;
}

/** The path of a subject's reads: /v1/chips/h20 or /v1/companies/nvidia. */
export function subjectPath(subject) {
  const plural = subject.kind === "chip" ? "chips" : "companies";
  return `/v1/${plural}/${encodeURIComponent(subject.id)}`;
}

/** Whether the served API offers a route (the OpenAPI document lists it). */
export async function offers(route) {
  try {
    const doc = await get("/openapi.json");
    return Boolean(doc?.paths?.[route]?.get);
  } catch {
    return false;
  }
}

/** The history spans, the timeline and the revisions of a subject, as known at K, all
 * three at the history's position so that they agree with each other. The spans carry only
 * their lanes (`detail=lanes`, docs/state.md): the full state at a date comes from the
 * state read, and a long history stays small. */
export async function subjectLog(subject, knownAt, options = {}) {
  const base = subjectPath(subject);
  const history = await get(`${base}/history`, { known_at: knownAt, detail: "lanes" }, options);
  const coordinates = { known_at: history.known_at, at_position: history.position };
  // Corrections and retractions are not items of the timeline; the log lists them under the
  // subject (a revision concerns what its event concerned). Only those known at K count.
  const [timeline, revisions] = await Promise.all([
    get(`${base}/timeline`, coordinates, options),
    all("/v1/events", { type: "EventCorrected,EventRetracted", [subject.kind]: subject.id }, options),
  ]);
  const limit = Date.parse(history.known_at);
  const known = revisions.filter(
    (r) => r.position <= history.position && Date.parse(r.reported_at) <= limit,
  );
  return { history, timeline, revisions: known };
}
