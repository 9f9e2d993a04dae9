// kubeward audit query: read what `kubeward audit serve` stored.
import { Command, Option } from 'commander';
import * as path from 'node:path';
import type { CommandEnv } from '../main.js';
import { UserError } from '../../core/types.js';
import type { EventFilter } from '../../audit/server/store/types.js';

interface Opts {
  store: string;
  since?: string;
  until?: string;
  user?: string;
  object?: string;
  verb: string[];
  detection?: string | boolean;
  summary?: boolean;
  denied?: boolean;
  anonymous?: boolean;
  limit: string;
  format: 'text' | 'json';
  raw?: boolean;
  output?: string;
}

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerAuditQuery(audit: Command, env: CommandEnv): void {
  audit
    .command('query')
    .description('read the events and detections stored by kubeward audit serve: what touched an object, who did what, denied and anonymous requests')
    .option('--store <path|url>', 'SQLite file, or postgresql://user@host/db', 'kubeward-audit.db')
    .option('--since <time>', 'from this time (RFC 3339) or this long ago (15m, 2h, 7d)')
    .option('--until <time>', 'before this time (RFC 3339) or this long ago')
    .option('--user <name>', 'only this identity (globs: system:serviceaccount:ci:*)')
    .option('--object <kind/ns/name>', 'only requests on this object, subresources included (pod/shop/web, clusterrolebinding/admins, deployment/shop/*: use kind/ns for a namespace)')
    .option('--verb <verbs>', 'only these verbs (comma-separated)', collect, [])
    .option('--detection [id]', 'list stored detections and workload policy violations (all, or one id; policy/* for violations)')
    .option('--summary', 'who did what: per identity, with denied and anonymous requests')
    .option('--denied', 'denied requests (401/403, authorization forbid), grouped')
    .option('--anonymous', 'requests by system:anonymous, grouped')
    .option('--limit <n>', 'most events listed (events view)', '1000')
    .option('--raw', 'include each full audit event (json format, events view)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText(
      'after',
      `
Without a view flag, lists the matching events in time order ("everything that touched X" with
--object). Examples:
  kubeward audit query --store audit.db --object pod/shop/web
  kubeward audit query --store audit.db --user alice@example.com --since 24h
  kubeward audit query --store audit.db --summary --since 7d
  kubeward audit query --store audit.db --detection privileged-role-binding --format json
  kubeward audit query --store postgresql://kubeward@db/audit --denied`,
    )
    .action(async (opts: Opts) => {
      const io = env.io;
      const { parseObjectSpec, parseTime, runQuery, renderQueryText } = await import('../../audit/query.js');
      const views = [opts.detection !== undefined, opts.summary, opts.denied, opts.anonymous].filter(Boolean).length;
      if (views > 1) throw new UserError('choose one of --detection, --summary, --denied, --anonymous');
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UserError(`--limit ${opts.limit}: expected a positive integer`);
      const filter: EventFilter = { limit };
      if (opts.since) filter.sinceMs = parseTime(opts.since, '--since');
      if (opts.until) filter.untilMs = parseTime(opts.until, '--until');
      if (opts.user) filter.user = opts.user;
      if (opts.object) {
        const o = parseObjectSpec(opts.object);
        Object.assign(filter, o);
        if (o.name === '*') delete filter.name;
      }
      if (opts.verb.length) filter.verbs = opts.verb;
      const view = opts.detection !== undefined ? 'detections' : opts.summary ? 'summary' : opts.denied ? 'denied' : opts.anonymous ? 'anonymous' : 'events';
      const { openStore, storeKind } = await import('../../audit/server/store/index.js');
      const spec = storeKind(opts.store) === 'sqlite' ? path.resolve(io.cwd, opts.store) : opts.store;
      const store = await openStore(spec, { readonly: true });
      try {
        const result = await runQuery(store, {
          view,
          filter,
          raw: opts.raw,
          detection: {
            sinceMs: filter.sinceMs,
            untilMs: filter.untilMs,
            user: filter.user,
            resource: filter.resource,
            namespace: filter.namespace,
            name: filter.name,
            detectionId: typeof opts.detection === 'string' ? opts.detection : undefined,
            limit,
          },
        });
        const text = opts.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderQueryText(result);
        if (opts.output) await io.writeFile(opts.output, text);
        else io.out(text);
      } finally {
        await store.close();
      }
    });
}
