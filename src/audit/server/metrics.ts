// Prometheus text exposition (format 0.0.4) for the receiver, written by hand: a few counters, one
// gauge family and one histogram do not need a client library.

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels): string => {
  const e = Object.entries(l);
  return e.length ? `{${e.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly gauges = new Map<string, () => number>();
  private readonly hist: { name: string; help: string; buckets: number[]; counts: number[]; sum: number; count: number };

  constructor() {
    this.hist = {
      name: 'kubeward_audit_batch_duration_seconds',
      help: 'Time from receiving a webhook request to acknowledging it (body read, parse, durable store, detections).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      counts: [],
      sum: 0,
      count: 0,
    };
    this.hist.counts = this.hist.buckets.map(() => 0);
    const c = (name: string, help: string): void => void this.families.set(name, { name, help, type: 'counter', values: new Map() });
    c('kubeward_audit_requests_total', 'Webhook requests answered, by HTTP status code.');
    c('kubeward_audit_events_received_total', 'Audit events received in accepted request bodies.');
    c('kubeward_audit_events_stored_total', 'Audit events newly stored.');
    c('kubeward_audit_events_duplicate_total', 'Audit events already stored (same auditID and stage: a retried batch).');
    c('kubeward_audit_events_bodies_omitted_total', 'Audit events over --max-event-bytes, stored without requestObject/responseObject.');
    c('kubeward_audit_requests_rejected_total', 'Webhook requests refused, by reason (unauthorized, too_large, malformed, ...).');
    c('kubeward_audit_detections_total', 'Detections and workload policy violations found in stored events, by id and severity.');
    c('kubeward_audit_store_errors_total', 'Batches the store failed to write (answered 500/503: the sender retries).');
    c('kubeward_audit_alerts_total', 'Alerts POSTed to --alert-webhook, by result (sent, failed, dropped).');
    c('kubeward_audit_pruned_events_total', 'Stored events deleted by retention (--retention, --max-events).');
    c('kubeward_audit_pruned_detections_total', 'Stored detections deleted by retention.');
    c('kubeward_audit_prune_runs_total', 'Retention runs, by result (ok, error).');
    c('kubeward_audit_tls_reloads_total', 'Reloads of the serving certificate, key and client CA, by result (ok, error).');
    for (const n of ['received', 'stored', 'duplicate', 'bodies_omitted']) this.inc(`kubeward_audit_events_${n}_total`, {}, 0);
    this.inc('kubeward_audit_store_errors_total', {}, 0);
    this.inc('kubeward_audit_pruned_events_total', {}, 0);
    this.inc('kubeward_audit_pruned_detections_total', {}, 0);
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const f = this.families.get(name);
    if (!f) throw new Error(`unknown metric ${name}`);
    const k = labelText(labels);
    const v = f.values.get(k);
    if (v) v.value += by;
    else f.values.set(k, { labels, value: by });
  }

  get(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.values.get(labelText(labels))?.value ?? 0;
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, read);
    this.families.set(name, { name, help, type: 'gauge', values: new Map() });
  }

  observe(seconds: number): void {
    const h = this.hist;
    for (let i = 0; i < h.buckets.length; i++) if (seconds <= h.buckets[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
      if (f.type === 'gauge') out.push(`${f.name} ${this.gauges.get(f.name)!()}`);
      else for (const v of f.values.values()) out.push(`${f.name}${labelText(v.labels)} ${v.value}`);
    }
    const h = this.hist;
    out.push(`# HELP ${h.name} ${h.help}`, `# TYPE ${h.name} histogram`);
    h.buckets.forEach((b, i) => out.push(`${h.name}_bucket{le="${b}"} ${h.counts[i]}`));
    out.push(`${h.name}_bucket{le="+Inf"} ${h.count}`, `${h.name}_sum ${h.sum}`, `${h.name}_count ${h.count}`);
    return out.join('\n') + '\n';
  }
}
