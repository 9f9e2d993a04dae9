// GCP entry of the provider registry (src/loaders/cloud/index.ts): live spec syntax, the lazy
// collector (the Google Cloud clients are imported only by ./collect.ts) and the completeness check.
import type { ProviderSupport } from '../index.js';
import { gcpGaps } from './gaps.js';

export const gcpSupport: ProviderSupport = {
  specSyntax: 'PROJECT/LOCATION/CLUSTER',
  parseSpec(rest) {
    const m = /^([a-z][-a-z0-9.:]{3,62}[a-z0-9])\/([a-z]+-[a-z]+\d(?:-[a-z])?)\/([a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)$/.exec(rest);
    if (!m) return 'a project id, a location (region or zone, e.g. europe-west1 or europe-west1-b) and a cluster name';
    return { provider: 'gcp', project: m[1], location: m[2], cluster: m[3] };
  },
  async collector() {
    const { gcpCollector } = await import('./collect.js');
    return gcpCollector;
  },
  gaps: gcpGaps,
};
