// Following the log live (GET /v1/stream, docs/http.md "The live stream"): one EventSource
// for the subject shown, starting right after the position the page was drawn at, so an
// event stored in between is not missed. The browser reconnects by itself with
// Last-Event-ID, which resumes without gaps or repeats.

export class Live {
  constructor(onEvent, onStatus) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.source = null;
    this.key = null;
  }

  /** Follow `subject` after `position`; a no-op when already following it. */
  follow(subject, position) {
    const key = `${subject.kind}:${subject.id}`;
    if (this.source && this.key === key) return;
    this.stop();
    this.key = key;
    const url = new URL("/v1/stream", location.origin);
    url.searchParams.set(subject.kind, subject.id);
    url.searchParams.set("after", String(position));
    const source = new EventSource(url);
    this.source = source;
    this.onStatus("connecting");
    source.onopen = () => this.onStatus("live");
    source.onerror = () => this.onStatus(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting");
    source.onmessage = (message) => {
      try {
        this.onEvent(JSON.parse(message.data));
      } catch {
        // not an event of ours: nothing to show
      }
    };
  }

  stop() {
    if (this.source) this.source.close();
    this.source = null;
    this.key = null;
    this.onStatus("off");
  }
}
