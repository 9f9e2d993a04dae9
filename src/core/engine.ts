// The engine: runs rules over a frozen ClusterState and collects findings. No I/O.
import type { Finding, LoadedObject, ObjPath, Severity } from './types.js';
import type { ClusterState } from '../model/cluster-state.js';
import { formatMessage, type ReportInput, type Rule, type RuleContext } from './rule.js';
import { groupKind } from '../model/kinds.js';

export interface EngineOptions {
  /** Severity per rule id, overriding the default. */
  severityOverrides?: Readonly<Record<string, Severity>>;
  /** Also check pods and templates owned by a controller that is itself loaded (off by default: the controller carries the finding). */
  includeControlled?: boolean;
}

export interface EngineResult {
  findings: Finding[];
  /** Rules that threw: an internal error, reported rather than crashing the scan. */
  ruleErrors: Array<{ ruleId: string; message: string }>;
}

export function pathToString(path: ObjPath | undefined): string | undefined {
  if (!path || path.length === 0) return undefined;
  let s = '';
  for (const seg of path) s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return s;
}

export function runRules(state: ClusterState, rules: readonly Rule[], opts: EngineOptions = {}): EngineResult {
  const findings: Finding[] = [];
  const ruleErrors: EngineResult['ruleErrors'] = [];
  const seen = new Set<string>();

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
        const dedupe = `${rule.meta.id}|${objKey(input.object)}|${path ?? ''}|${message}`;
        if (seen.has(dedupe)) return;
        seen.add(dedupe);
        const location = (input.path ? input.object.locate(input.path) : undefined) ?? input.object.source;
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
        if (location) f.location = { ...location };
        else f.location = { file: input.object.file, line: 0, column: 0 };
        if (path) f.path = path;
        if (input.evidence) f.evidence = input.evidence;
        findings.push(f);
      },
    };
    return { rule, ctx };
  });

  const guard = (rule: Rule, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      ruleErrors.push({ ruleId: rule.meta.id, message: (e as Error).message });
    }
  };

  // Pod templates and containers.
  const podRules = contexts.filter((c) => c.rule.handlers.podTemplate || c.rule.handlers.container);
  if (podRules.length > 0) {
    for (const pod of state.podTemplates()) {
      if (pod.controller && !opts.includeControlled) continue;
      for (const { rule, ctx } of podRules) {
        const h = rule.handlers;
        if (h.podTemplate) guard(rule, () => h.podTemplate!(pod, ctx));
        if (h.container) for (const c of pod.containers) guard(rule, () => h.container!(c, pod, ctx));
      }
    }
  }

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
      for (const o of state.ofKind(gk)) for (const { rule, ctx, fn } of handlers) guard(rule, () => fn(o, ctx));
    }
  }

  for (const { rule, ctx } of contexts) {
    const h = rule.handlers;
    if (h.cluster) guard(rule, () => h.cluster!(ctx));
  }
  return { findings, ruleErrors };
}

function objKey(o: LoadedObject): string {
  return `${groupKind(o.group, o.ref.kind)}|${o.ref.namespace ?? ''}|${o.ref.name}|${o.file}|${o.source?.line ?? ''}`;
}
