// The one registry of rules. CLI choices, docs and the meta-test all read it.
import type { Rule } from '../core/rule.js';
import { workloadRules } from './workload/index.js';
import { leastPrivilegeRules } from './least-privilege/index.js';
import { defenceInDepthRules } from './defence-in-depth/index.js';
import { auditLoggingRules } from './audit-logging/index.js';
import { metadataApiRules } from './metadata-api/index.js';

export const registry = {
  ...workloadRules,
  ...leastPrivilegeRules,
  ...defenceInDepthRules,
  ...auditLoggingRules,
  ...metadataApiRules,
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof registry;

export const allRules: readonly Rule[] = Object.freeze(Object.values(registry) as Rule[]);

export function getRule(id: string): Rule | undefined {
  return (registry as Record<string, Rule>)[id];
}
