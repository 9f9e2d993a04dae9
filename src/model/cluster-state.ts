// ClusterState: every loaded object, indexed once and frozen, shared by all rules.
import type { LoadedObject, NotAssessed, ObjPath } from '../core/types.js';
import { POD_TEMPLATE_PATHS, getIn, groupKind } from './kinds.js';

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ContainerView {
  readonly name: string;
  readonly kind: ContainerKind;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly spec: Readonly<Record<string, any>>;
  /** Absolute path of this container inside the owning object. */
  readonly path: ObjPath;
}

/** A pod spec wherever it lives: a Pod, or the template of a workload. */
export interface PodTemplateView {
  readonly owner: LoadedObject;
  readonly namespace: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly spec: Readonly<Record<string, any>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly specPath: ObjPath;
  readonly metadataPath: ObjPath;
  readonly containers: readonly ContainerView[];
  /** The controller (present in the model) that owns this object, e.g. the ReplicaSet of a Pod. */
  readonly controller?: LoadedObject;
}

export interface ClusterStateInit {
  objects: LoadedObject[];
  notAssessed?: NotAssessed[];
  /** Where the state came from: "manifests", "snapshot", "live". */
  origin?: string;
}

const EMPTY: readonly LoadedObject[] = Object.freeze([]);

export class ClusterState {
  readonly objects: readonly LoadedObject[];
  readonly notAssessed: readonly NotAssessed[];
  readonly origin: string;
  private readonly byGK = new Map<string, LoadedObject[]>();
  private readonly byKey = new Map<string, LoadedObject>();
  private readonly byNs = new Map<string, LoadedObject[]>();
  private readonly byUid = new Map<string, LoadedObject>();
  private readonly templates: PodTemplateView[] = [];

  constructor(init: ClusterStateInit) {
    this.objects = Object.freeze([...init.objects]);
    this.notAssessed = Object.freeze([...(init.notAssessed ?? [])]);
    this.origin = init.origin ?? 'manifests';
    for (const o of this.objects) {
      const gk = groupKind(o.group, o.ref.kind);
      push(this.byGK, gk, o);
      const k = key(gk, o.ref.namespace, o.ref.name);
      if (!this.byKey.has(k)) this.byKey.set(k, o); // first copy wins for lookups
      if (o.ref.namespace) push(this.byNs, o.ref.namespace, o);
      const uid = o.obj.metadata?.uid;
      if (typeof uid === 'string') this.byUid.set(uid, o);
    }
    for (const o of this.objects) {
      const gk = groupKind(o.group, o.ref.kind);
      const paths = POD_TEMPLATE_PATHS[gk];
      if (!paths) continue;
      const spec = getIn(o.obj, paths.spec);
      if (spec === null || typeof spec !== 'object') continue;
      this.templates.push(this.makeTemplate(o, paths.spec, paths.metadata, spec as Record<string, unknown>));
    }
    Object.freeze(this.templates);
    for (const list of this.byGK.values()) Object.freeze(list);
    for (const list of this.byNs.values()) Object.freeze(list);
    Object.freeze(this);
  }

  private makeTemplate(o: LoadedObject, specPath: ObjPath, metadataPath: ObjPath, spec: Record<string, unknown>): PodTemplateView {
    const meta = (getIn(o.obj, metadataPath) ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
    const containers: ContainerView[] = [];
    const groups: Array<[string, ContainerKind]> = [
      ['initContainers', 'initContainer'],
      ['containers', 'container'],
      ['ephemeralContainers', 'ephemeralContainer'],
    ];
    for (const [field, kind] of groups) {
      const list = spec[field];
      if (!Array.isArray(list)) continue;
      list.forEach((c, i) => {
        if (c === null || typeof c !== 'object') return;
        containers.push(
          Object.freeze({ name: String((c as { name?: unknown }).name ?? `#${i}`), kind, spec: c, path: [...specPath, field, i] }),
        );
      });
    }
    return Object.freeze({
      owner: o,
      namespace: o.ref.namespace ?? 'default',
      spec,
      labels: meta.labels ?? {},
      annotations: meta.annotations ?? {},
      specPath,
      metadataPath,
      containers: Object.freeze(containers),
      controller: this.controllerOf(o),
    });
  }

  /** The controller of `o` if it is loaded too (matched by uid, else by kind/name in the same namespace). */
  controllerOf(o: LoadedObject): LoadedObject | undefined {
    const owners = o.obj.metadata?.ownerReferences;
    if (!Array.isArray(owners)) return undefined;
    for (const ref of owners) {
      if (!ref || ref.controller === false) continue;
      if (ref.uid && this.byUid.has(ref.uid)) return this.byUid.get(ref.uid);
      if (ref.kind && ref.name && ref.apiVersion) {
        const g = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
        const found = this.byKey.get(key(groupKind(g, ref.kind), o.ref.namespace, ref.name));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Objects of a kind: `ofKind('Pod')`, `ofKind('rbac.authorization.k8s.io/Role')`. */
  ofKind(gk: string): readonly LoadedObject[] {
    return this.byGK.get(gk) ?? EMPTY;
  }

  get(gk: string, namespace: string | undefined, name: string): LoadedObject | undefined {
    return this.byKey.get(key(gk, namespace, name));
  }

  inNamespace(ns: string): readonly LoadedObject[] {
    return this.byNs.get(ns) ?? EMPTY;
  }

  /** Every namespace that is declared or used by some object. */
  namespaceNames(): string[] {
    const names = new Set<string>(this.byNs.keys());
    for (const n of this.ofKind('Namespace')) names.add(n.ref.name);
    return [...names].sort();
  }

  /** Every pod spec: Pods and the templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, ReplicationControllers. */
  podTemplates(): readonly PodTemplateView[] {
    return this.templates;
  }

  kinds(): string[] {
    return [...this.byGK.keys()].sort();
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function key(gk: string, ns: string | undefined, name: string): string {
  return `${gk}|${ns ?? ''}|${name}`;
}

/** Does a label selector ({matchLabels, matchExpressions}) select these labels? */
export function selectorMatches(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined | null,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(labels[e.key])) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(labels[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
