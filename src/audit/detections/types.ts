// What a detection is: metadata + which events it wants + a pure check over one event at a time,
// with its own state for bursts and sequences. No I/O, no clock: time comes from the events.
import type { Severity } from '../../core/types.js';
import type { AuditEvent } from '../event.js';

export type OptionValue = number | string | boolean | readonly string[];
export type DetectionOptions = Record<string, OptionValue>;

export interface DetectionMeta {
  /** kebab-case, equal to the folder name. */
  id: string;
  title: string;
  /** Default severity; a report may raise or lower it (e.g. sensitive vs other hostPath). */
  severity: Severity;
  /** MITRE ATT&CK technique ids (Containers / Cloud matrices), e.g. "T1609". */
  mitre: readonly string[];
  /** What it looks for and why it matters. */
  description: string;
  /** Which allow-list applies: platform defaults + user globs, user globs only, or none (the signal does not depend on who). */
  allowList: 'platform' | 'user' | 'none';
  /** Audit level the signal needs ("Metadata" suffices, or "Request" for bodies). */
  needs: 'Metadata' | 'Request';
  references?: readonly string[];
}

/** Which events reach check(): k8s events by objectRef.resource, all k8s events, CloudTrail events by eventName. */
export interface DetectionSelector {
  resources?: readonly string[];
  all?: boolean;
  cloudtrail?: readonly string[];
}

export interface DetectionReport {
  message: string;
  evidence?: Record<string, unknown>;
  severity?: Severity;
}

export interface DetectionContext<O extends DetectionOptions> {
  readonly options: Readonly<O>;
  /** True when the caller (authenticated user) is on the allow-list this detection uses. */
  allowed(ev: AuditEvent): boolean;
  report(ev: AuditEvent, r: DetectionReport): void;
}

export interface Detection<O extends DetectionOptions = DetectionOptions, S = unknown> {
  meta: DetectionMeta;
  on: DetectionSelector;
  /** Tunable values (thresholds, windows) with their defaults; configurable per detection. */
  options: O;
  /** Fresh state for one run. */
  init(options: Readonly<O>): S;
  check(ev: AuditEvent, ctx: DetectionContext<O>, state: S): void;
}

/** Typed constructor: infers options and state types. */
export function defineDetection<O extends DetectionOptions, S = undefined>(d: {
  meta: DetectionMeta;
  on: DetectionSelector;
  options?: O;
  init?: (options: Readonly<O>) => S;
  check: (ev: AuditEvent, ctx: DetectionContext<O>, state: S) => void;
}): Detection<O, S> {
  return {
    meta: d.meta,
    on: d.on,
    options: (d.options ?? {}) as O,
    init: d.init ?? (() => undefined as S),
    check: d.check,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDetection = Detection<any, any>;
