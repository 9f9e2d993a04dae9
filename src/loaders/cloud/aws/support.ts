// AWS entry of the provider registry (src/loaders/cloud/index.ts): live spec syntax, the lazy
// collector (the SDK is imported only by ./collect.ts) and the completeness check.
import type { ProviderSupport } from '../index.js';
import { awsGaps } from './gaps.js';

export const awsSupport: ProviderSupport = {
  specSyntax: 'CLUSTER[@REGION]',
  parseSpec(rest) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,99})(?:@([a-z]{2}(?:-[a-z]+)+-\d+))?$/.exec(rest);
    if (!m) return 'an EKS cluster name (letters, digits, - and _) optionally followed by @REGION';
    return { provider: 'aws', cluster: m[1], ...(m[2] ? { region: m[2] } : {}) };
  },
  async collector() {
    const { awsCollector } = await import('./collect.js');
    return awsCollector;
  },
  gaps: awsGaps,
};
