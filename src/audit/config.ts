// The `audit:` section of kubeward.yaml (schema used by loaders/config.ts) and how it combines with
// the command-line flags of `kubeward audit analyze`.
import { SEVERITIES, UserError, isSeverity, type Severity } from '../core/types.js';
import type { EngineOptions } from './engine.js';
import type { AnyDetection, DetectionOptions } from './detections/types.js';

export interface AuditConfig {
  failOn?: Severity | 'none';
  /** Extra allowed identities (globs) for detections that use an allow-list. */
  allowUsers?: string[];
  /** Use the built-in platform allow-list (eks:*, aksService, system:node:*, ...). Default true. */
  platformAllowList?: boolean;
  /** Per detection: "off", "on", a severity, or {enabled, severity, <option>: value}. */
  detections?: Record<string, unknown>;
}

export const auditConfigSchema = {
  type: 'object',
  description: 'kubeward audit analyze: allow-list, thresholds and severities of the audit-log detections',
  additionalProperties: false,
  properties: {
    failOn: { enum: [...SEVERITIES, 'none'], description: 'exit 1 when a detection is at or above this severity (default high)' },
    allowUsers: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'identities whose actions are not reported (globs: * and ?), e.g. system:serviceaccount:argocd:*' },
    platformAllowList: { type: 'boolean', description: 'use the built-in allow-list of platform identities (default true)' },
    detections: {
      type: 'object',
      description: 'per detection id: "off", "on", a severity, or {enabled, severity, and options such as threshold, windowSeconds}',
      additionalProperties: {
        anyOf: [
          { enum: ['off', 'on', ...SEVERITIES] },
          { type: 'boolean' },
          {
            type: 'object',
            properties: { enabled: { type: 'boolean' }, severity: { enum: [...SEVERITIES] } },
            additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'array', items: { type: 'string' } }] },
          },
        ],
      },
    },
  },
} as const;

export interface AuditCliOptions {
  allowUser?: string[];
  platformAllowList?: boolean;
  only?: string[];
  disable?: string[];
}

/** Combines config and flags into engine options; unknown detection ids and options are user errors. */
export function engineOptions(cfg: AuditConfig | undefined, cli: AuditCliOptions, registry: Readonly<Record<string, AnyDetection>>, source = 'configuration'): EngineOptions {
  const known = (id: string, where: string): void => {
    if (!(id in registry)) throw new UserError(`${where}: unknown detection "${id}" (see kubeward audit analyze --list-detections)`);
  };
  const severity: Record<string, Severity> = {};
  const options: Record<string, Partial<DetectionOptions>> = {};
  const disabled = new Set<string>(cli.disable ?? []);
  for (const id of cli.disable ?? []) known(id, '--disable');
  for (const id of cli.only ?? []) known(id, '--only');
  for (const [id, v] of Object.entries(cfg?.detections ?? {})) {
    known(id, `${source} audit.detections`);
    if (v === 'off' || v === false) disabled.add(id);
    else if (isSeverity(v)) severity[id] = v;
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.enabled === false) disabled.add(id);
      if (isSeverity(o.severity)) severity[id] = o.severity;
      const defaults = registry[id].options as DetectionOptions;
      for (const [k, val] of Object.entries(o)) {
        if (k === 'enabled' || k === 'severity') continue;
        if (!(k in defaults)) {
          const names = Object.keys(defaults);
          throw new UserError(`${source} audit.detections.${id}: unknown option "${k}"${names.length ? ` (expected ${names.join(', ')})` : ' (this detection has no options)'}`);
        }
        const d = defaults[k];
        const ok = Array.isArray(d) ? Array.isArray(val) : typeof d === typeof val;
        if (!ok) throw new UserError(`${source} audit.detections.${id}.${k}: expected ${Array.isArray(d) ? 'a list of strings' : `a ${typeof d}`}`);
        if (typeof d === 'number' && (!Number.isFinite(val as number) || (val as number) <= 0)) throw new UserError(`${source} audit.detections.${id}.${k}: expected a positive number`);
        (options[id] ??= {})[k] = val as DetectionOptions[string];
      }
    }
  }
  return {
    only: cli.only && cli.only.length > 0 ? cli.only : undefined,
    disabled: [...disabled],
    severity,
    options,
    allowUsers: [...(cfg?.allowUsers ?? []), ...(cli.allowUser ?? [])],
    platformAllowList: cli.platformAllowList === false ? false : cfg?.platformAllowList !== false,
  };
}
