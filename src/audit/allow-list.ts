// Identities whose actions are the platform's own (managed control plane, controllers, kubelets):
// detections that look at "who did it" skip them. Globs: "*" any run of characters, "?" one.
// Users extend the list (--allow-user, `audit.allowUsers` in kubeward.yaml) or switch the defaults
// off (--no-platform-allow-list, `audit.platformAllowList: false`).

export interface AllowEntry {
  pattern: string;
  why: string;
  /** Not allowed when the user agent matches (a person using the identity's credentials). */
  unlessUserAgent?: RegExp;
}

export const PLATFORM_ALLOW_LIST: readonly AllowEntry[] = Object.freeze([
  { pattern: 'eks:*', why: 'EKS control-plane components (eks:addon-manager, eks:node-manager, eks:certificate-controller, ...)' },
  { pattern: 'aksService', why: 'AKS resource provider acting on the cluster' },
  { pattern: 'hcpService', why: 'AKS hosted control plane' },
  { pattern: 'masterclient', why: 'AKS control-plane client certificate, except from kubectl (the --admin kubeconfig of local accounts)', unlessUserAgent: /^kubectl\// },
  { pattern: 'nodeclient', why: 'AKS node bootstrap client' },
  { pattern: 'system:apiserver', why: 'kube-apiserver loopback client (bootstrap RBAC reconciliation)' },
  { pattern: 'system:kube-controller-manager', why: 'kube-controller-manager' },
  { pattern: 'system:kube-scheduler', why: 'kube-scheduler' },
  { pattern: 'system:cloud-controller-manager', why: 'cloud-controller-manager' },
  { pattern: 'system:node:*', why: 'kubelets (node authorizer limits them to their own pods)' },
  { pattern: 'system:kube-proxy', why: 'kube-proxy' },
  { pattern: 'system:serviceaccount:kube-system:*', why: 'controllers and add-ons running in kube-system' },
  { pattern: 'system:gke-*', why: 'GKE control-plane identities (system:gke-master-healthcheck, ...)' },
  { pattern: 'system:addon-manager', why: 'GKE addon manager' },
  { pattern: 'system:clustermetrics', why: 'GKE cluster metrics collector' },
  { pattern: 'system:managed-certificate-controller', why: 'GKE managed certificates' },
  { pattern: 'service-*@container-engine-robot.iam.gserviceaccount.com', why: 'GKE service agent (Google-managed)' },
]);

export function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

/** Names cached per list: a cluster has far fewer identities; a log of ever-new names only refills it. */
const CACHE_MAX = 8_192;

/** A compiled list of globs with a per-name cache (usernames repeat a lot in audit logs). */
export class AllowList {
  private readonly exact = new Set<string>();
  private readonly res: RegExp[] = [];
  private readonly cache = new Map<string, boolean>();
  /** Entries that depend on the user agent: checked before the cache. */
  private readonly conditional: Array<{ re: RegExp; unless: RegExp }> = [];
  private readonly condCache = new Map<string, RegExp[]>();
  readonly patterns: readonly string[];

  constructor(entries: ReadonlyArray<string | AllowEntry>) {
    const patterns: string[] = [];
    for (const e of entries) {
      const p = typeof e === 'string' ? e : e.pattern;
      patterns.push(p);
      if (typeof e !== 'string' && e.unlessUserAgent) this.conditional.push({ re: globToRegExp(p), unless: e.unlessUserAgent });
      else if (/[*?]/.test(p)) this.res.push(globToRegExp(p));
      else this.exact.add(p);
    }
    this.patterns = patterns;
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  has(name: string, userAgent?: string): boolean {
    if (this.exact.has(name)) return true;
    if (this.conditional.length > 0) {
      // Which conditional entries match this name is cached; only their user-agent test runs per event.
      let hits = this.condCache.get(name);
      if (hits === undefined) {
        hits = this.conditional.filter((c) => c.re.test(name)).map((c) => c.unless);
        if (this.condCache.size > CACHE_MAX) this.condCache.clear();
        this.condCache.set(name, hits);
      }
      for (const unless of hits) if (!(userAgent !== undefined && unless.test(userAgent))) return true;
    }
    if (this.res.length === 0) return false;
    let v = this.cache.get(name);
    if (v === undefined) {
      v = this.res.some((r) => r.test(name));
      if (this.cache.size > CACHE_MAX) this.cache.clear();
      this.cache.set(name, v);
    }
    return v;
  }
}
