// Azure entry of the provider registry (src/loaders/cloud/index.ts): live spec syntax, the lazy
// collector (the Azure SDK is imported only by ./collect.ts) and the completeness check.
import type { ProviderSupport } from '../index.js';
import { azureGaps } from './gaps.js';

export const azureSupport: ProviderSupport = {
  specSyntax: 'RESOURCE_GROUP/CLUSTER[@SUBSCRIPTION_ID]',
  parseSpec(rest) {
    const m = /^([-\w.()]{1,90})\/([A-Za-z0-9][-A-Za-z0-9_]{0,62})(?:@([0-9a-fA-F-]{36}))?$/.exec(rest);
    if (!m) return 'a resource group and a cluster name, optionally followed by @SUBSCRIPTION_ID';
    return { provider: 'azure', resourceGroup: m[1], cluster: m[2], ...(m[3] ? { subscription: m[3] } : {}) };
  },
  async collector() {
    const { azureCollector } = await import('./collect.js');
    return azureCollector;
  },
  gaps: azureGaps,
};
