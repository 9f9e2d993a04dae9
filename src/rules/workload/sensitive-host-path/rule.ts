import { defineRule } from '../../../core/rule.js';
import { SEVERITY_RANK, type Severity } from '../../../core/types.js';
import type { ContainerView } from '../../../model/cluster-state.js';
import { containerLabel } from '../_lib.js';
import { POD_SPEC_KINDS, PSS_BASELINE_URL, objectAt } from '../_pss.js';
import { BENIGN_WHEN_READ_ONLY, SENSITIVE_PATHS, display, normaliseHostPath, segmentsOf, type SensitivePath } from './paths.js';

// hostPath volumes that expose node paths which hand over the node (runtime sockets, /), or its
// credentials and other pods' data. Evaluated per mount: a subPath narrows what a container sees.

type Access = 'write' | 'read' | 'unmounted';

interface Match {
  entry: SensitivePath;
  /** The sensitive path that is exposed, as displayed (wildcards filled in where known). */
  shown: string;
  /** The exposed path contains the sensitive one (a parent directory is mounted). */
  viaParent: boolean;
}

interface Exposure {
  path: string[];
  access: Access;
  container?: ContainerView;
  match: Match;
}

const COMPILED = SENSITIVE_PATHS.map((entry) => ({ entry, segs: segmentsOf(entry.path) }));
const BENIGN = BENIGN_WHEN_READ_ONLY.map(segmentsOf);

/** Is `segs` equal to or inside `dir`? */
function isWithin(segs: readonly string[], dir: readonly string[]): boolean {
  return segs.length >= dir.length && dir.every((d, i) => d === segs[i]);
}


/** Index of the first run of `run` inside `segs`, or -1. */
function indexOfRun(segs: readonly string[], run: readonly string[]): number {
  for (let i = 0; i + run.length <= segs.length; i++) if (run.every((r, j) => segs[i + j] === r)) return i;
  return -1;
}

/** The most severe (then most specific) sensitive path that this exposed path reaches. */
function bestMatch(segs: readonly string[], access: Access): Match | undefined {
  if (access === 'read' && BENIGN.some((b) => isWithin(segs, b))) return undefined;
  let best: { m: Match; rank: number; spec: number } | undefined;
  for (const { entry, segs: e } of COMPILED) {
    if (entry.writableOnly && access === 'read') continue;
    let m: Match;
    let len = e.length;
    if (e[0] === '**') {
      // A directory name at any depth: the path is that directory or inside it.
      const at = indexOfRun(segs, e.slice(1));
      if (at < 0) continue;
      len = at + e.length - 1;
      m = { entry, shown: display(segs.slice(0, len)), viaParent: false };
    } else {
      const n = Math.min(segs.length, e.length);
      let ok = true;
      for (let i = 0; i < n && ok; i++) ok = e[i] === segs[i];
      if (!ok) continue;
      if (segs.length <= e.length) {
        // Equal to, or a parent of, the sensitive path.
        m = { entry, shown: display(e), viaParent: segs.length < e.length };
      } else if (!entry.root && !entry.socket) {
        // Inside a sensitive directory (a root only matches itself: everything is inside it).
        m = { entry, shown: display(e), viaParent: false };
      } else {
        continue;
      }
    }
    const rank = SEVERITY_RANK[entry.severity];
    // Prefer the exact or enclosing entry over one merely contained, then the most specific entry.
    const spec = (m.viaParent ? 0 : 1000) + len * (m.viaParent ? -1 : 1);
    if (!best || rank > best.rank || (rank === best.rank && spec > best.spec)) best = { m, rank, spec };
  }
  return best?.m;
}

function joinSubPath(base: string[], subPath: unknown): string[] {
  if (typeof subPath !== 'string' || subPath === '') return base;
  const windows = base.length > 0 && (/^[a-z]:$/.test(base[0]) || base[0] === '//./pipe');
  const extra = windows ? subPath.replace(/\\/g, '/').toLowerCase() : subPath;
  const out = [...base];
  for (const seg of extra.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out;
}

const ACCESS_RANK: Record<Access, number> = { write: 2, unmounted: 1, read: 0 };

function describeAccess(x: Exposure): string {
  const who = x.container ? containerLabel(x.container) : '';
  if (x.access === 'write') return `mounted read-write by ${who}`;
  if (x.access === 'unmounted') return 'not mounted by any container yet; an ephemeral container can mount it';
  return x.match.entry.socket
    ? `mounted read-only by ${who}, which does not stop connecting to a socket`
    : `mounted read-only by ${who}: still readable`;
}

export default defineRule({
  meta: {
    id: 'sensitive-host-path',
    title: 'Pod mounts a sensitive path of the node',
    pillar: 'workload',
    severity: 'high',
    description:
      "A hostPath volume exposes a node path that hands over the node or its secrets: a container runtime socket or the root file system (critical), or node configuration, kubelet and runtime state, logs, kernel interfaces or cloud credentials (high). Mounting a parent directory exposes everything under it.",
    remediation:
      'Do not mount runtime sockets, `/` or credential directories into pods. Mount the narrowest path that works (a single file or a subPath), read-only, and move node agents that need more into a dedicated namespace with a documented exception.',
    references: [
      PSS_BASELINE_URL,
      'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath',
      'https://attack.mitre.org/techniques/T1611/',
      'https://attack.mitre.org/techniques/T1552/001/',
    ],
    compliance: { pss: 'baseline', cis: ['CIS-K8S 5.2.12'], mitre: ['T1611', 'T1610', 'T1552.001'] },
    messages: {
      exposes: 'volume "{volume}" exposes {path}: {what} ({access})',
      contains: 'volume "{volume}" exposes {path}, which contains {sensitive}: {what} ({access})',
    },
    reads: POD_SPEC_KINDS,
  },
  handlers: {
    podTemplate(pod, ctx) {
      const volumes: unknown = pod.spec.volumes;
      if (!Array.isArray(volumes)) return;
      volumes.forEach((v: unknown, i) => {
        const vol = objectAt(v);
        const hp = objectAt(vol?.hostPath);
        if (!vol || !hp || typeof hp.path !== 'string') return;
        const base = normaliseHostPath(hp.path);
        if (!base) return;
        const name: unknown = vol.name;

        // What each container sees: the volume path, narrowed by subPath.
        const seen: Array<{ path: string[]; access: Access; container?: ContainerView }> = [];
        for (const c of pod.containers) {
          const mounts: unknown = c.spec.volumeMounts;
          if (!Array.isArray(mounts)) continue;
          for (const mv of mounts) {
            const m = objectAt(mv);
            if (!m || m.name !== name) continue;
            seen.push({ path: joinSubPath(base, m.subPath), access: m.readOnly === true ? 'read' : 'write', container: c });
          }
        }
        if (seen.length === 0) seen.push({ path: base, access: 'unmounted' });

        let worst: Exposure | undefined;
        for (const s of seen) {
          const match = bestMatch(s.path, s.access);
          if (!match) continue;
          const x: Exposure = { ...s, match };
          if (
            !worst ||
            SEVERITY_RANK[match.entry.severity] > SEVERITY_RANK[worst.match.entry.severity] ||
            (match.entry.severity === worst.match.entry.severity && ACCESS_RANK[x.access] > ACCESS_RANK[worst.access])
          ) {
            worst = x;
          }
        }
        if (!worst) return;
        const severity: Severity = worst.match.entry.severity;
        ctx.report({
          object: pod.owner,
          messageId: worst.match.viaParent ? 'contains' : 'exposes',
          data: {
            volume: typeof name === 'string' ? name : `#${i}`,
            path: display(worst.path),
            sensitive: worst.match.shown,
            what: worst.match.entry.what,
            access: describeAccess(worst),
          },
          path: [...pod.specPath, 'volumes', i, 'hostPath', 'path'],
          severity,
          evidence: { hostPath: hp.path, exposed: display(worst.path), sensitive: worst.match.shown, access: worst.access },
        });
      });
    },
  },
});
