// The rule contract: metadata + handlers keyed by what they inspect. The engine dispatches.
import type { LoadedObject, ObjPath, RuleMeta, Severity } from './types.js';
import type { ClusterState, ContainerView, PodTemplateView } from '../model/cluster-state.js';

export interface ReportInput<M extends string> {
  /** The object the finding is on (for pod templates: the workload). */
  object: LoadedObject;
  messageId: M;
  /** Values for `{placeholders}` in the message template. */
  data?: Record<string, string | number | boolean>;
  /** Path inside `object` that the finding points at (its line is reported). */
  path?: ObjPath;
  evidence?: Record<string, unknown>;
  /** Overrides the rule's default severity for this finding (e.g. a more sensitive host path). */
  severity?: Severity;
}

export interface RuleContext<M extends string> {
  readonly state: ClusterState;
  /** True when the scan also reports on pods and templates whose controller is loaded (--include-controlled); cluster handlers that walk pod templates themselves honour it. */
  readonly includeControlled: boolean;
  report(input: ReportInput<M>): void;
}

export interface RuleHandlers<M extends string> {
  /** Once per pod spec (Pods and workload templates not controlled by another loaded object). */
  podTemplate?(pod: PodTemplateView, ctx: RuleContext<M>): void;
  /** Once per container (init, regular and ephemeral) of each such pod spec. */
  container?(container: ContainerView, pod: PodTemplateView, ctx: RuleContext<M>): void;
  /** Per object of the given kinds, keyed "Kind" (core) or "group/Kind". */
  objects?: Readonly<Record<string, (object: LoadedObject, ctx: RuleContext<M>) => void>>;
  /** Once for the whole cluster, for rules that relate several objects. */
  cluster?(ctx: RuleContext<M>): void;
}

export interface Rule<M extends string = string> {
  readonly meta: RuleMeta<M>;
  readonly handlers: RuleHandlers<M>;
}

/** Typed helper: message ids used in `report` must exist in `meta.messages`. */
export function defineRule<const M extends string>(rule: { meta: RuleMeta<M>; handlers: RuleHandlers<NoInfer<M>> }): Rule<M> {
  return Object.freeze(rule) as Rule<M>;
}

/** Templates split once into text and placeholder names: text, name, text, name, ..., text. */
const TEMPLATE_PARTS = new Map<string, readonly string[]>();

export function formatMessage(template: string, data: Record<string, string | number | boolean> | undefined): string {
  if (!data) return template;
  let parts = TEMPLATE_PARTS.get(template);
  if (!parts) TEMPLATE_PARTS.set(template, (parts = template.split(/\{(\w+)\}/)));
  if (parts.length === 1) return template;
  // One flat string (a finding's message is hashed and compared, which would flatten a concatenation).
  const out: string[] = [parts[0]];
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i];
    out.push(k in data ? String(data[k]) : `{${k}}`, parts[i + 1]);
  }
  return out.join('');
}
