// Where cloud context enters kubeward: `--cloud FILE|FOLDER` (kubeward bundles or the raw JSON of
// aws/az/gcloud, recognised by shape in ./shapes.ts) and `--cloud aws:NAME[@REGION]`,
// `azure:RG/NAME`, `gcp:PROJECT/LOCATION/NAME` (live collection by ./<provider>/collect.ts, imported
// lazily: the only importers of cloud SDKs). Output: cloud objects (src/cloud/model.ts) that locate
// findings in the files they came from, plus what could not be assessed and why.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { InputError, KubeObject, LoadedObject, NotAssessed, ObjPath, SourceLocation } from '../../core/types.js';
import { UserError } from '../../core/types.js';
import {
  CLOUD_API_VERSION,
  CLOUD_BUNDLE_KIND,
  CLOUD_KINDS,
  CLUSTER_LABEL,
  PROVIDER_LABEL,
  PROVIDERS,
  type CloudKind,
  type Provider,
} from '../../cloud/model.js';
import { deepFreeze, parseLocatedDocument, type Locator } from '../manifest.js';
import { makeRef } from '../../model/kinds.js';
import { isRecord, nameInFile, recognise, SHAPES, type CloudPart, type CloudPatch, type ShapeOutput } from './shapes.js';
import { awsSupport } from './aws/support.js';
import { azureSupport } from './azure/support.js';
import { gcpSupport } from './gcp/support.js';

// ---------------------------------------------------------------------------------------------
// Provider registry: live spec syntax, lazy collector, completeness check. Add a provider's entry here.

/** A live collection target, from `--cloud aws:NAME@REGION` or `kubeward cloud collect` flags. */
export interface LiveTarget {
  provider: Provider;
  cluster: string;
  /** Provider-specific fields: region, profile, resourceGroup, subscription, project, location. */
  [field: string]: string | undefined;
}

export interface CollectOptions {
  /** Kubernetes objects loaded beside (ServiceAccount annotations name IRSA / workload identities). */
  kubeObjects?: readonly LoadedObject[];
  /** Overall deadline. */
  timeoutMs?: number;
  /** Progress lines (stderr). */
  onProgress?: (message: string) => void;
  /** For tests: the clock. */
  now?: () => Date;
}

export interface Collector {
  /** Collects the context of one cluster. Throws UserError with one clear line when nothing could be collected. */
  collect(target: LiveTarget, opts: CollectOptions): Promise<CloudBundle>;
}

export interface GapInput {
  /** Cloud objects of this provider. */
  objects: readonly LoadedObject[];
  /** Kubernetes objects loaded beside. */
  kube: readonly LoadedObject[];
  /** Kinds given as complete listings (an empty listing means there are none). */
  listed: ReadonlySet<CloudKind>;
  /** Gaps already known (e.g. recorded by live collection), to avoid repeating them. */
  known: readonly NotAssessed[];
}

export interface ProviderSupport {
  /** Syntax of the live spec after "<provider>:", for messages. */
  specSyntax: string;
  /** "NAME@REGION" -> target, or an error message. */
  parseSpec(rest: string): LiveTarget | string;
  collector(): Promise<Collector>;
  /** Pure: what the loaded description lacks for the provider's rules (one entry per missing piece, naming the permission or command). */
  gaps?(input: GapInput): NotAssessed[];
}

export const PROVIDER_SUPPORT: Partial<Record<Provider, ProviderSupport>> = {
  aws: awsSupport,
  azure: azureSupport,
  gcp: gcpSupport,
};

// ---------------------------------------------------------------------------------------------

/** The bundle written by `kubeward cloud collect` (see src/cloud/model.ts). */
export interface CloudBundle {
  apiVersion: 'kubeward.io/v1';
  kind: typeof CLOUD_BUNDLE_KIND;
  metadata: {
    provider: Provider;
    cluster: string;
    createdAt?: string;
    createdBy?: string;
    source?: 'live' | 'files';
    /** Kinds collected as complete listings (an empty listing means there are none). */
    listed?: CloudKind[];
    [k: string]: unknown;
  };
  items: KubeObject[];
  notAssessed: NotAssessed[];
  errors: InputError[];
}

export interface CloudLoadOptions extends CollectOptions {
  cwd?: string;
}

export interface CloudLoad {
  objects: LoadedObject[];
  notAssessed: NotAssessed[];
  errors: InputError[];
  /** Providers of the loaded descriptions. */
  providers: Provider[];
  files: number;
}

const LIVE_SPEC = /^(aws|azure|gcp):(.+)$/;
const CLOUD_EXT = new Set(['.json', '.yaml', '.yml']);
const MAX_FILE = 64 * 1024 * 1024;

export function isLiveSpec(spec: string): boolean {
  return LIVE_SPEC.test(spec);
}

/** Parses `aws:NAME@REGION` and friends; throws UserError on a malformed spec. */
export function parseLiveSpec(spec: string): LiveTarget {
  const m = LIVE_SPEC.exec(spec);
  if (!m) throw new UserError(`--cloud ${spec}: not a file and not a live target (aws:NAME[@REGION], azure:RG/NAME, gcp:PROJECT/LOCATION/NAME)`);
  const provider = m[1] as Provider;
  const support = PROVIDER_SUPPORT[provider];
  if (!support) throw new UserError(`--cloud ${spec}: live collection for ${provider} is not available in this build`);
  const t = support.parseSpec(m[2]);
  if (typeof t === 'string') throw new UserError(`--cloud ${spec}: ${t} (expected ${provider}:${support.specSyntax})`);
  return t;
}

export async function collectLive(target: LiveTarget, opts: CollectOptions): Promise<CloudBundle> {
  const support = PROVIDER_SUPPORT[target.provider];
  if (!support) throw new UserError(`live collection for ${target.provider} is not available in this build`);
  const collector = await support.collector();
  return collector.collect(target, opts);
}

/** Reads every `--cloud` spec. Never throws for bad files (they become errors); throws UserError when a live collection got nothing. */
export async function loadCloudInputs(specs: readonly string[], opts: CloudLoadOptions = {}): Promise<CloudLoad> {
  const cwd = opts.cwd ?? process.cwd();
  const acc = new Accumulator();
  let files = 0;
  for (const spec of specs) {
    const abs = path.resolve(cwd, spec);
    const exists = await fsp.stat(abs).then(
      (s) => s,
      () => undefined,
    );
    if (!exists && isLiveSpec(spec)) {
      const target = parseLiveSpec(spec);
      const bundle = await collectLive(target, opts);
      acc.addBundle(bundle, spec, undefined);
      continue;
    }
    if (!exists) {
      acc.errors.push({ file: spec, message: 'no such file or folder (a cloud description, or aws:NAME[@REGION] / azure:RG/NAME / gcp:PROJECT/LOCATION/NAME for live collection)' });
      continue;
    }
    const list: Array<{ name: string; abs: string }> = [];
    if (exists.isDirectory()) {
      const entries = (await fsp.readdir(abs, { withFileTypes: true })).filter((e) => e.isFile() && CLOUD_EXT.has(path.extname(e.name).toLowerCase()));
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) list.push({ name: path.join(spec, e.name), abs: path.join(abs, e.name) });
      if (list.length === 0) acc.errors.push({ file: spec, message: 'folder has no .json/.yaml cloud descriptions' });
    } else {
      list.push({ name: spec, abs });
    }
    for (const f of list) {
      let text: string;
      try {
        const st = await fsp.stat(f.abs);
        if (st.size > MAX_FILE) {
          acc.errors.push({ file: f.name, message: `file is over ${MAX_FILE / 1048576} MiB; skipped` });
          continue;
        }
        text = await fsp.readFile(f.abs, 'utf8');
      } catch (e) {
        acc.errors.push({ file: f.name, message: (e as Error).message });
        continue;
      }
      files++;
      acc.addText(text, f.name);
    }
  }
  const out = acc.finish(opts.kubeObjects ?? []);
  return { ...out, files };
}

/** The same as loadCloudInputs for text already in memory (tests, conformance). */
export function parseCloudTexts(texts: ReadonlyArray<{ file: string; text: string }>, kubeObjects: readonly LoadedObject[] = []): Omit<CloudLoad, 'files'> {
  const acc = new Accumulator();
  for (const t of texts) acc.addText(t.text, t.file);
  return acc.finish(kubeObjects);
}

/** Cloud objects from a bundle already in memory (live collection). */
export function bundleToObjects(bundle: CloudBundle, file: string, kubeObjects: readonly LoadedObject[] = []): Omit<CloudLoad, 'files'> {
  const acc = new Accumulator();
  acc.addBundle(bundle, file, undefined);
  return acc.finish(kubeObjects);
}

// ---------------------------------------------------------------------------------------------
// Merging parts from many documents into objects that remember where each field came from.

interface Source {
  file: string;
  locate?: Locator;
}

interface Segment {
  /** Path inside the merged spec this segment covers. */
  prefix: ObjPath;
  src: Source;
  /** Path relative to prefix -> path inside the source document. */
  toDoc: (rel: ObjPath) => ObjPath;
}

interface Draft {
  provider: Provider;
  kind: CloudKind;
  name: string;
  cluster?: string;
  spec: Record<string, unknown>;
  segments: Segment[];
  file: string;
}

interface PendingPatch {
  provider: Provider;
  patch: CloudPatch;
  src: Source;
  fileBase: string;
}

const KIND_PROVIDER = new Map<string, Provider>();
for (const p of PROVIDERS) for (const k of CLOUD_KINDS[p]) KIND_PROVIDER.set(k, p);

class Accumulator {
  readonly errors: InputError[] = [];
  readonly notAssessed: NotAssessed[] = [];
  private readonly drafts = new Map<string, Draft>();
  private readonly patches: PendingPatch[] = [];
  private readonly listed = new Map<Provider, Set<CloudKind>>();
  /** Cluster named by a bundle, per provider (for objects that do not say). */
  private readonly bundleCluster = new Map<Provider, string>();

  addText(text: string, file: string): void {
    const parsed = parseLocatedDocument(text, file);
    if ('error' in parsed) {
      this.errors.push(parsed.error);
      return;
    }
    const { data, locate } = parsed;
    if (isRecord(data) && data.kind === CLOUD_BUNDLE_KIND) {
      this.addBundle(data as unknown as CloudBundle, file, locate);
      return;
    }
    const shape = recognise(data);
    if (!shape) {
      this.errors.push({
        file,
        line: locate([])?.line,
        message: `not a recognised cloud description (expected a kubeward CloudContext bundle or the JSON printed by one of: ${[...new Set(SHAPES.map((s) => s.id.split(' ')[0]))].join(', ')} commands listed in docs/cloud.md); skipped`,
      });
      return;
    }
    const fileBase = path.basename(file).replace(/\.(json|ya?ml)$/i, '').toLowerCase();
    let outputs: ShapeOutput[];
    try {
      outputs = shape.read(data, { fileBase });
    } catch (e) {
      this.errors.push({ file, message: `cannot read ${shape.id} output: ${(e as Error).message}; skipped` });
      return;
    }
    if (shape.lists) this.listedOf(shape.provider).add(shape.lists);
    const src: Source = { file, locate };
    for (const o of outputs) {
      if (o.type === 'part') this.addPart(shape.provider, o, src);
      else this.patches.push({ provider: shape.provider, patch: o, src, fileBase });
    }
  }

  addBundle(bundle: CloudBundle, file: string, locate: Locator | undefined): void {
    const meta = isRecord(bundle.metadata) ? bundle.metadata : ({} as CloudBundle['metadata']);
    const provider = PROVIDERS.includes(meta.provider as Provider) ? (meta.provider as Provider) : undefined;
    if (provider && typeof meta.cluster === 'string' && meta.cluster !== '') this.bundleCluster.set(provider, meta.cluster);
    if (provider && Array.isArray(meta.listed)) for (const k of meta.listed) if (KIND_PROVIDER.get(k) === provider) this.listedOf(provider).add(k);
    const src: Source = { file, locate };
    const items = Array.isArray(bundle.items) ? bundle.items : [];
    items.forEach((item, i) => {
      const where = locate?.(['items', i])?.line;
      if (!isRecord(item) || item.apiVersion !== CLOUD_API_VERSION || typeof item.kind !== 'string' || !KIND_PROVIDER.has(item.kind)) {
        this.errors.push({ file, line: where, message: `items[${i}] is not a cloud object (apiVersion ${CLOUD_API_VERSION} with a known kind); skipped` });
        return;
      }
      const md = isRecord(item.metadata) ? item.metadata : {};
      const labels = isRecord(md.labels) ? (md.labels as Record<string, string>) : {};
      if (typeof md.name !== 'string' || md.name === '' || !isRecord(item.spec)) {
        this.errors.push({ file, line: where, message: `items[${i}] (${item.kind}) needs metadata.name and a spec; skipped` });
        return;
      }
      const kind = item.kind as CloudKind;
      const part: CloudPart = { type: 'part', kind, name: md.name, spec: item.spec, at: ['items', i, 'spec'] };
      const cluster = labels[CLUSTER_LABEL] || (provider ? this.bundleCluster.get(provider) : undefined);
      if (cluster) part.cluster = cluster;
      this.addPart(KIND_PROVIDER.get(kind)!, part, src);
    });
    (Array.isArray(bundle.notAssessed) ? bundle.notAssessed : []).forEach((n, i) => {
      if (isRecord(n) && typeof n.what === 'string' && typeof n.reason === 'string') this.notAssessed.push({ what: n.what, reason: n.reason, ...(Array.isArray(n.rules) ? { rules: n.rules } : {}) });
      else this.errors.push({ file, line: locate?.(['notAssessed', i])?.line, message: `notAssessed[${i}] needs what and reason; ignored` });
    });
    (Array.isArray(bundle.errors) ? bundle.errors : []).forEach((e) => {
      if (isRecord(e) && typeof e.message === 'string') this.errors.push({ file: typeof e.file === 'string' ? e.file : file, message: e.message });
    });
  }

  private listedOf(p: Provider): Set<CloudKind> {
    let s = this.listed.get(p);
    if (!s) this.listed.set(p, (s = new Set()));
    return s;
  }

  private addPart(provider: Provider, part: CloudPart, src: Source): void {
    const key = `${provider}|${part.kind}|${part.name}`;
    const map = part.map ?? ((p: ObjPath) => [...part.at, ...p]);
    let d = this.drafts.get(key);
    if (!d) {
      d = { provider, kind: part.kind, name: part.name, spec: {}, segments: [{ prefix: [], src, toDoc: map }], file: src.file };
      this.drafts.set(key, d);
    }
    if (part.cluster && !d.cluster) d.cluster = part.cluster;
    for (const [k, v] of Object.entries(part.spec)) {
      const cur = d.spec[k];
      if (cur === undefined) {
        d.spec[k] = v;
        d.segments.push({ prefix: [k], src, toDoc: (rel) => map([k, ...rel]) });
      } else if (Array.isArray(cur) && Array.isArray(v)) {
        v.forEach((el, j) => {
          const s = JSON.stringify(el);
          if (cur.some((c) => JSON.stringify(c) === s)) return;
          cur.push(el);
          d.segments.push({ prefix: [k, cur.length - 1], src, toDoc: (rel) => map([k, j, ...rel]) });
        });
      }
      // Otherwise the first description of a field wins.
    }
  }

  finish(kube: readonly LoadedObject[]): Omit<CloudLoad, 'files'> {
    // Patches that create fields first, then those that fill inside them (all: true).
    const ordered = [...this.patches].sort((a, b) => Number(Boolean(a.patch.all)) - Number(Boolean(b.patch.all)));
    for (const p of ordered) this.applyPatch(p);

    const objects: LoadedObject[] = [];
    for (const d of this.drafts.values()) objects.push(this.build(d));
    objects.sort((a, b) => (a.ref.kind < b.ref.kind ? -1 : a.ref.kind > b.ref.kind ? 1 : a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));

    const providers = PROVIDERS.filter((p) => objects.some((o) => o.obj.metadata?.labels?.[PROVIDER_LABEL] === p));
    const notAssessed = [...this.notAssessed];
    for (const p of providers) {
      const gaps = PROVIDER_SUPPORT[p]?.gaps;
      if (!gaps) continue;
      const mine = objects.filter((o) => o.obj.metadata?.labels?.[PROVIDER_LABEL] === p);
      for (const g of gaps({ objects: mine, kube, listed: this.listed.get(p) ?? new Set(), known: notAssessed })) {
        if (!notAssessed.some((n) => n.what === g.what && n.reason === g.reason)) notAssessed.push(g);
      }
    }
    return { objects, notAssessed, errors: this.errors, providers };
  }

  private applyPatch(p: PendingPatch): void {
    const { patch } = p;
    const candidates: Array<{ d: Draft; paths: ObjPath[] }> = [];
    for (const d of this.drafts.values()) {
      if (d.provider !== p.provider || d.kind !== patch.kind) continue;
      if (patch.target !== undefined && d.name !== patch.target) continue;
      const paths = patch.place(d.spec, p.fileBase);
      if (paths.length > 0) candidates.push({ d, paths });
    }
    let chosen = candidates;
    if (!patch.all && candidates.length > 1) {
      chosen = candidates.filter((c) => nameInFile(p.fileBase, c.d.name));
    }
    if (chosen.length === 0 || (!patch.all && chosen.length > 1)) {
      const names = candidates.map((c) => c.d.name);
      this.errors.push({
        file: p.src.file,
        message:
          candidates.length === 0
            ? `${patch.what}: no ${patch.kind} it belongs to was given (add the describing output, or name the file after the object); skipped`
            : `${patch.what}: cannot tell which ${patch.kind} it belongs to (${names.join(', ')}): put the object's name in the file name (e.g. ${names[0]}.json) or use a kubeward bundle; skipped`,
      });
      return;
    }
    for (const { d, paths } of chosen) {
      for (const at of paths) {
        setIn(d.spec, at, patch.value);
        d.segments.push({ prefix: at, src: p.src, toDoc: (rel) => [...patch.at, ...rel] });
      }
    }
  }

  private build(d: Draft): LoadedObject {
    const cluster = d.cluster ?? this.bundleCluster.get(d.provider) ?? this.soleCluster(d.provider) ?? '';
    const obj: KubeObject = {
      apiVersion: CLOUD_API_VERSION,
      kind: d.kind,
      metadata: { name: d.name, labels: { [PROVIDER_LABEL]: d.provider, [CLUSTER_LABEL]: cluster } },
      spec: d.spec,
    };
    const segments = d.segments;
    const locateSpec = (rel: ObjPath): SourceLocation | undefined => {
      let best: Segment | undefined;
      for (const s of segments) {
        if (s.prefix.length > rel.length) continue;
        if (!s.prefix.every((x, i) => x === rel[i])) continue;
        if (!best || s.prefix.length > best.prefix.length) best = s;
      }
      if (!best) return undefined;
      return best.src.locate?.(best.toDoc(rel.slice(best.prefix.length)));
    };
    const source = locateSpec([]);
    const locate = (p: ObjPath): SourceLocation | undefined => (p[0] === 'spec' ? locateSpec(p.slice(1)) : source);
    return Object.freeze({
      obj: deepFreeze(obj),
      ref: makeRef(obj, d.name),
      group: 'cloud.kubeward.io',
      file: d.file,
      source,
      locate,
    });
  }

  private soleCluster(provider: Provider): string | undefined {
    const names = [...this.drafts.values()].filter((d) => d.provider === provider && d.kind.endsWith('Cluster')).map((d) => d.name);
    return names.length === 1 ? names[0] : undefined;
  }
}

function setIn(obj: Record<string, unknown>, at: ObjPath, value: unknown): void {
  let cur: unknown = obj;
  for (let i = 0; i < at.length - 1; i++) cur = (cur as Record<string | number, unknown>)[at[i]];
  (cur as Record<string | number, unknown>)[at[at.length - 1]] = value;
}

/** Objects in a bundle's items form (for `kubeward cloud collect` output and tests). */
export function cloudItem(provider: Provider, kind: CloudKind, name: string, cluster: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: CLOUD_API_VERSION, kind, metadata: { name, labels: { [PROVIDER_LABEL]: provider, [CLUSTER_LABEL]: cluster } }, spec };
}
