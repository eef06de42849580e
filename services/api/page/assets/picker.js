// Picking a chip or a company: search by id or name over /v1/chips and /v1/companies.
// Enter in the search box takes the best match; the arrow keys move through the matches,
// each a real button.

import { all } from "./api.js";
import { el, fill } from "./dom.js";

const MAX_SHOWN = 8;

export class Picker {
  constructor(form, input, results, onPick) {
    this.form = form;
    this.input = input;
    this.results = results;
    this.onPick = onPick;
    this.subjects = [];
    this.loadedAt = 0;
    this.loading = null; // the lists' fetch in flight, shared by every keystroke
    this.asked = 0; // keystrokes seen: only the latest one's answer is drawn
    this.drawn = ""; // the query and matches on screen: drawn again only when they change
    input.addEventListener("input", () => this.show());
    input.addEventListener("focus", () => this.load().catch(() => {})); // retried on typing
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { event.preventDefault(); this.move(0); }
      if (event.key === "Escape") this.clear();
    });
    results.addEventListener("keydown", (event) => this.keys(event));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      await this.load().catch(() => null); // an empty list then says "no match"
      const [best] = this.matches();
      if (best) this.choose(best);
      else {
        this.drawn = "";
        fill(this.results, el("li", { class: "empty", role: "status" }, "No chip or company matches."));
      }
    });
  }

  /** Every chip and company (as of now), fetched again when a minute old; one fetch at a
   * time, however many keystrokes ask while it runs. */
  async load(force = false) {
    if (!force && Date.now() - this.loadedAt < 60_000) return this.subjects;
    this.loading ??= Promise.all([all("/v1/chips"), all("/v1/companies")])
      .then(([chips, companies]) => {
        this.subjects = [
          ...chips.map((c) => ({ kind: "chip", id: c.chip, name: c.name, about: c.manufacturer })),
          ...companies.map((c) => ({ kind: "company", id: c.company, name: c.name, about: c.country })),
        ];
        this.loadedAt = Date.now();
        return this.subjects;
      })
      .finally(() => { this.loading = null; });
    return this.loading;
  }

  /** The subject with this id, from the loaded lists (null when unknown). */
  find(kind, id) {
    return this.subjects.find((s) => s.kind === kind && s.id === id) ?? null;
  }

  matches() {
    const query = this.input.value.trim().toLowerCase();
    if (!query) return [];
    const rank = (s) => {
      const id = s.id.toLowerCase();
      const name = (s.name ?? "").toLowerCase();
      if (id === query || name === query) return 0;
      if (id.startsWith(query) || name.startsWith(query)) return 1;
      if (id.includes(query) || name.includes(query)) return 2;
      return 3;
    };
    return this.subjects
      .map((s) => [rank(s), s])
      .filter(([r]) => r < 3)
      .sort((a, b) => a[0] - b[0] || a[1].id.localeCompare(b[1].id))
      .map(([, s]) => s);
  }

  /** The matches as buttons. An earlier keystroke's answer arriving late is not drawn, and
   * the same matches are not drawn again: either would replace the button the arrow keys
   * have just focused. */
  async show() {
    const asked = ++this.asked;
    try {
      await this.load();
    } catch (error) {
      if (asked !== this.asked) return;
      this.drawn = "";
      fill(this.results, el("li", { class: "empty", role: "status" }, `The lists did not load: ${error.message}`));
      return;
    }
    if (asked !== this.asked) return;
    if (!this.input.value.trim()) { this.clear(); return; }
    const found = this.matches().slice(0, MAX_SHOWN);
    const drawing = `${this.input.value.trim()}\n${found.map((s) => `${s.kind}:${s.id}`).join(" ")}`;
    if (drawing === this.drawn) return;
    this.drawn = drawing;
    fill(this.results, found.length
      ? found.map((s) => el("li", {}, el("button", {
        type: "button", class: "pick", dataset: { kind: s.kind, id: s.id },
        onclick: () => this.choose(s),
      }, el("strong", {}, s.name ?? s.id), ` ${s.id} · ${s.kind}${s.about ? `, ${s.about}` : ""}`)))
      : el("li", { class: "empty" }, "No chip or company matches."));
  }

  keys(event) {
    const buttons = [...this.results.querySelectorAll("button.pick")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown") { event.preventDefault(); this.move(at + 1); }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at <= 0) this.input.focus(); else this.move(at - 1);
    }
    if (event.key === "Escape") { this.clear(); this.input.focus(); }
  }

  move(index) {
    const buttons = [...this.results.querySelectorAll("button.pick")];
    if (buttons.length) buttons[Math.min(index, buttons.length - 1)].focus();
  }

  choose(subject) {
    this.input.value = subject.name ?? subject.id;
    this.clear();
    this.onPick(subject);
  }

  clear() {
    this.drawn = "";
    fill(this.results);
  }
}
