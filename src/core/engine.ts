// The engine: runs rules over a frozen ClusterState and collects findings. No I/O.
import type { Finding, LoadedObject, ObjPath, Severity, SourceLocation } from './types.js';
import type { ClusterState } from '../model/cluster-state.js';
import { formatMessage, type ReportInput, type Rule, type RuleContext } from './rule.js';
import { groupKind } from '../model/kinds.js';

export interface EngineOptions {
  /** Severity per rule id, overriding the default. */
  severityOverrides?: Readonly<Record<string, Severity>>;
  /** Also check pods and templates owned by a controller that is itself loaded (off by default: the controller carries the finding). */
  includeControlled?: boolean;
  /**
   * Called between the rule phases and between cluster-wide rules: where a process-wide memory policy
   * may act (the CLI's, src/cli/heap.ts memoryCheckpoint). Nothing the rules see changes.
   */
  checkpoint?: () => void;
}

export interface EngineResult {
  findings: Finding[];
  /** Rules that threw: an internal error, reported rather than crashing the scan. */
  ruleErrors: Array<{ ruleId: string; message: string }>;
}

export function pathToString(path: ObjPath | undefined): string | undefined {
  if (!path || path.length === 0) return undefined;
  // One flat string: built with += it would be a chain of cons strings (a dozen objects per finding).
  const parts: string[] = [];
  for (const seg of path) parts.push(typeof seg === 'number' ? `[${seg}]` : parts.length === 0 ? seg : `.${seg}`);
  return parts.join('');
}

export function runRules(state: ClusterState, rules: readonly Rule[], opts: EngineOptions = {}): EngineResult {
  const findings: Finding[] = [];
  const ruleErrors: EngineResult['ruleErrors'] = [];
  // One finding per rule, object, path and message. Keyed by a 32-bit hash of those and compared
  // exactly on a match: a Set of joined strings held ~300 bytes per finding until the scan ended.
  const seen = new Map<number, Seen | Seen[]>();
  const noPosition = new Map<string, SourceLocation>();
  // Rules report on one object after another (every pod rule on a pod, then the next pod). The
  // dedupe key of the object reported on last is kept, and so are the locations found on it: findings
  // are often at the same place (a container's securityContext; 1,651 findings on perf/ are at 671).
  let keyObject: LoadedObject | undefined;
  let keyOfObject = '';
  let locObject: LoadedObject | undefined;
  const locMemo = new Map<string, SourceLocation | undefined>();
  const locate = (o: LoadedObject, p: ObjPath, key: string): SourceLocation | undefined => {
    if (o !== locObject) {
      locObject = o;
      locMemo.clear();
    }
    let l = locMemo.get(key);
    if (l === undefined && !locMemo.has(key)) {
      l = o.locate(p);
      locMemo.set(key, l);
    }
    return l;
  };

  const contexts = rules.map((rule) => {
    const severity = opts.severityOverrides?.[rule.meta.id] ?? rule.meta.severity;
    const ctx: RuleContext<string> = {
      state,
      includeControlled: opts.includeControlled === true,
      report(input: ReportInput<string>) {
        const template = rule.meta.messages[input.messageId];
        if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown messageId ${input.messageId}`);
        const message = formatMessage(template, input.data);
        const path = pathToString(input.path);
        if (input.object !== keyObject) {
          keyObject = input.object;
          keyOfObject = objKey(keyObject);
        }
        const ok = keyOfObject;
        const h = findingHash(rule.meta.id, ok, path, message);
        const prior = seen.get(h);
        if (prior !== undefined) {
          const same = (x: Seen) => x.f.ruleId === rule.meta.id && x.f.message === message && x.f.path === path && (x.o === input.object || objKey(x.o) === ok);
          if (Array.isArray(prior) ? prior.some(same) : same(prior)) return;
        }
        const location = (input.path ? locate(input.object, input.path, path ?? '') : undefined) ?? input.object.source;
        const f: Finding = {
          ruleId: rule.meta.id,
          title: rule.meta.title,
          pillar: rule.meta.pillar,
          severity: opts.severityOverrides?.[rule.meta.id] ?? input.severity ?? severity,
          // Shared with the object (nothing writes to either): one object less per finding.
          resource: input.object.ref,
          messageId: input.messageId,
          message,
          remediation: rule.meta.remediation,
        };
        // Shared with the object's source or its locator (nothing writes to either).
        if (location) f.location = location;
        else {
          // Objects read without positions (snapshots): one location object per file, shared.
          let l = noPosition.get(input.object.file);
          if (!l) noPosition.set(input.object.file, (l = Object.freeze({ file: input.object.file, line: 0, column: 0 })));
          f.location = l;
        }
        if (path) f.path = path;
        if (input.evidence) f.evidence = input.evidence;
        findings.push(f);
        const entry: Seen = { o: input.object, f };
        if (prior === undefined) seen.set(h, entry);
        else if (Array.isArray(prior)) prior.push(entry);
        else seen.set(h, [prior, entry]);
      },
    };
    return { rule, ctx };
  });

  const failed = (rule: Rule, e: unknown): void => {
    ruleErrors.push({ ruleId: rule.meta.id, message: (e as Error).message });
  };
  const guard = (rule: Rule, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      failed(rule, e);
    }
  };

  // Pod templates and containers.
  const podRules = contexts.filter((c) => c.rule.handlers.podTemplate || c.rule.handlers.container);
  // Indexed loops over pods, rules and containers: this runs before V8 optimizes it, and a for-of
  // over an array makes an iterator and a result object per step there (~1 MB of garbage on perf/).
  if (podRules.length > 0) {
    const pods = state.podTemplates();
    for (let p = 0; p < pods.length; p++) {
      const pod = pods[p];
      if (pod.controller && !opts.includeControlled) continue;
      for (let r = 0; r < podRules.length; r++) {
        const { rule, ctx } = podRules[r];
        const h = rule.handlers;
        // try/catch here rather than guard(): no closure per call.
        if (h.podTemplate) {
          try {
            h.podTemplate(pod, ctx);
          } catch (e) {
            failed(rule, e);
          }
        }
        if (h.container) {
          const containers = pod.containers;
          for (let c = 0; c < containers.length; c++) {
            try {
              h.container(containers[c], pod, ctx);
            } catch (e) {
              failed(rule, e);
            }
          }
        }
      }
    }
  }

  opts.checkpoint?.();

  // Object handlers, dispatched by group/kind.
  const byKind = new Map<string, Array<{ rule: Rule; ctx: RuleContext<string>; fn: (o: LoadedObject, ctx: RuleContext<string>) => void }>>();
  for (const { rule, ctx } of contexts) {
    for (const [gk, fn] of Object.entries(rule.handlers.objects ?? {})) {
      const l = byKind.get(gk) ?? [];
      l.push({ rule, ctx, fn });
      byKind.set(gk, l);
    }
  }
  if (byKind.size > 0) {
    for (const [gk, handlers] of byKind) {
      const objects = state.ofKind(gk);
      for (let i = 0; i < objects.length; i++) {
        const o = objects[i];
        for (let k = 0; k < handlers.length; k++) {
          const { rule, ctx, fn } = handlers[k];
          try {
            fn(o, ctx);
          } catch (e) {
            failed(rule, e);
          }
        }
      }
    }
  }

  for (const { rule, ctx } of contexts) {
    const h = rule.handlers;
    if (!h.cluster) continue;
    opts.checkpoint?.();
    guard(rule, () => h.cluster!(ctx));
  }
  return { findings, ruleErrors };
}

export function objKey(o: LoadedObject): string {
  return `${groupKind(o.group, o.ref.kind)}|${o.ref.namespace ?? ''}|${o.ref.name}|${o.file}|${o.source?.line ?? ''}`;
}

interface Seen {
  o: LoadedObject;
  f: Finding;
}

const FNV_OFFSET = 0x811c9dc5;

/** The dedupe hash of a finding (exported for tests, which need colliding keys). */
export function findingHash(ruleId: string, objectKey: string, path: string | undefined, message: string): number {
  return fnv1a(message, fnv1a(path ?? '', fnv1a(objectKey, fnv1a(ruleId, FNV_OFFSET))));
}

/** 32-bit FNV-1a over the UTF-16 code units of `s`, continuing from `h`, with a separator after. */
function fnv1a(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xffff, 0x01000193) >>> 0;
}
