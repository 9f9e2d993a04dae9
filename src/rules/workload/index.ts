// Workload hardening rules. Keep one import and one entry per rule folder (the meta-test checks).
import type { Rule } from '../../core/rule.js';
import privilegedContainer from './privileged-container/rule.js';
import hostNetwork from './host-network/rule.js';
import runAsNonRoot from './run-as-non-root/rule.js';

export const workloadRules = {
  'privileged-container': privilegedContainer,
  'host-network': hostNetwork,
  'run-as-non-root': runAsNonRoot,
} satisfies Record<string, Rule>;
