// One report per detection and request. The API server logs a request at up to four stages
// (RequestReceived; ResponseStarted for long-running requests such as exec, attach, port-forward and
// watch; ResponseComplete; Panic), and log shippers sometimes deliver a record twice. So:
//
// - a key (detection id and auditID) first reported at a stage before the last is remembered until
//   the request's last stage arrives, however long the request runs (an exec session may last
//   hours): "in flight", two generations of at most `maxKeys` keys each, the oldest dropped first;
// - a key reported at its last stage, or whose last stage arrived, is remembered for `windowMs` of log
//   time (re-deliveries arrive close behind), in two generations rotated as log time advances, each
//   also capped at `maxKeys`.
//
// Memory is thereby proportional to the requests in flight plus an hour of traffic with detections,
// not to the length of the log (it was the latest 50,000 to 100,000 keys, which filled only after
// gigabytes of input and then stayed: most of what still grew in `audit analyze` from 1 to 3 GB).
// Records without a stage (CloudTrail, other providers' formats) count as last stages.

const LAST_STAGES = new Set(['ResponseComplete', 'Panic']);

export const DEDUP_WINDOW_MS = 60 * 60_000;
export const DEDUP_MAX_KEYS = 50_000;

export class RequestDedup {
  private inFlight = new Set<string>();
  private inFlightOld = new Set<string>();
  private done = new Set<string>();
  private doneOld = new Set<string>();
  /** Log time at which the current `done` generation began (NaN until an event with a time). */
  private doneSince = NaN;

  constructor(
    private readonly windowMs = DEDUP_WINDOW_MS,
    private readonly maxKeys = DEDUP_MAX_KEYS,
  ) {}

  /** True when `key` has not been reported for this request yet (and records it), false for a repeat. */
  first(key: string, stage: string | undefined, timeMs: number): boolean {
    const last = stage === undefined || LAST_STAGES.has(stage);
    this.advance(timeMs);
    if (this.inFlight.has(key) || this.inFlightOld.has(key)) {
      if (last) {
        this.inFlight.delete(key);
        this.inFlightOld.delete(key);
        this.addDone(key, timeMs);
      }
      return false;
    }
    if (this.done.has(key) || this.doneOld.has(key)) return false;
    if (last) this.addDone(key, timeMs);
    else {
      if (this.inFlight.size >= this.maxKeys) {
        this.inFlightOld = this.inFlight;
        this.inFlight = new Set();
      }
      this.inFlight.add(key);
    }
    return true;
  }

  /** Keys remembered (for tests and the memory bench). */
  get size(): number {
    return this.inFlight.size + this.inFlightOld.size + this.done.size + this.doneOld.size;
  }

  // A key stays at least `windowMs` of log time: the current generation becomes the old one once
  // log time has moved `windowMs` past its start, and the old one is then dropped. Log time going
  // backwards (merged files) rotates nothing.
  private advance(timeMs: number): void {
    if (!Number.isFinite(timeMs)) return;
    if (Number.isNaN(this.doneSince)) this.doneSince = timeMs;
    else if (timeMs - this.doneSince >= this.windowMs) this.rotate(timeMs);
  }

  private addDone(key: string, timeMs: number): void {
    if (this.done.size >= this.maxKeys) this.rotate(timeMs);
    this.done.add(key);
  }

  private rotate(timeMs: number): void {
    this.doneOld = this.done;
    this.done = new Set();
    this.doneSince = Number.isFinite(timeMs) ? timeMs : this.doneSince;
  }
}
