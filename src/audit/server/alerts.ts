// Alerts leave the receiver on two paths: a JSON line on stdout (always) and, with --alert-webhook,
// an HTTP POST of the same JSON, retried with exponential backoff from a bounded queue by a sender
// loop of its own. Ingestion never waits for the webhook: when the queue is full the oldest alert
// is dropped (counted and logged).
import * as http from 'node:http';
import * as https from 'node:https';

export interface AlertWebhookOptions {
  url: string;
  /** Alerts kept while the webhook is unreachable (default 10,000). */
  maxQueue?: number;
  /** Attempts per alert before it is given up (default 8). */
  maxAttempts?: number;
  /** First retry delay, doubled at each attempt up to maxBackoffMs (default 1 s, 60 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Extra CA certificates (PEM) to trust for an https URL. */
  ca?: string;
  onResult?: (result: 'sent' | 'failed' | 'dropped', detail: string) => void;
}

export class AlertWebhook {
  private readonly queue: Array<{ body: string; attempts: number }> = [];
  private running = false;
  private stopped = false;
  private wake?: () => void;
  private idle: Array<() => void> = [];
  private readonly url: URL;

  constructor(private readonly o: AlertWebhookOptions) {
    this.url = new URL(o.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`--alert-webhook must be an http:// or https:// URL, got ${o.url}`);
  }

  get pending(): number {
    return this.queue.length;
  }

  enqueue(json: string): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.o.maxQueue ?? 10_000)) {
      this.queue.shift();
      this.o.onResult?.('dropped', 'alert queue full: oldest alert dropped');
    }
    this.queue.push({ body: json, attempts: 0 });
    if (!this.running) void this.loop();
    else this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      t.unref();
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const item = this.queue[0];
        item.attempts++;
        const err = await this.post(item.body);
        if (err === undefined) {
          this.queue.shift();
          this.o.onResult?.('sent', '');
          continue;
        }
        if (item.attempts >= (this.o.maxAttempts ?? 8)) {
          this.queue.shift();
          this.o.onResult?.('failed', `alert given up after ${item.attempts} attempts: ${err}`);
          continue;
        }
        const delay = Math.min((this.o.initialBackoffMs ?? 1000) * 2 ** (item.attempts - 1), this.o.maxBackoffMs ?? 60_000);
        await this.sleep(delay);
      }
    } finally {
      this.running = false;
      for (const f of this.idle.splice(0)) f();
    }
  }

  private post(body: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      const mod = this.url.protocol === 'https:' ? https : http;
      const req = mod.request(
        this.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'kubeward-audit-serve' },
          timeout: this.o.timeoutMs ?? 10_000,
          ...(this.o.ca ? { ca: this.o.ca } : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}`));
          res.on('error', (e) => resolve(e.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve(e.message));
      req.end(body);
    });
  }

  /** Waits until the queue is empty or `ms` have passed, then stops sending. */
  async close(ms: number): Promise<void> {
    this.wake?.(); // retry now rather than after the current backoff
    if (this.running && this.queue.length > 0) {
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => setTimeout(r, ms).unref())]);
    }
    this.stopped = true;
    this.wake?.();
  }
}
