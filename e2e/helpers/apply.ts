// Creates manifest objects in the test cluster through its REST API (no kubectl), resolving each
// kind's resource path by discovery, as kubectl does.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { TestCluster, TestUser } from '../../test/helpers/testenv.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}

export function readManifests(...files: string[]): Obj[] {
  const out: Obj[] = [];
  for (const f of files) {
    for (const d of parseAllDocuments(readFileSync(f, 'utf8'))) {
      const o = d.toJS() as Obj | null;
      if (o && o.kind) out.push(o);
    }
  }
  return out;
}

async function resourceFor(c: TestCluster, apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  for (let i = 0; i < 150; i++) {
    const r = await c.request('admin', 'GET', base);
    const res = (r.json?.resources ?? []).find((x: { kind: string; name: string }) => x.kind === kind && !x.name.includes('/'));
    if (res) return { plural: res.name, namespaced: res.namespaced };
    await new Promise((s) => setTimeout(s, 200)); // a new CRD takes a moment to be served (up to 30 s here)
  }
  throw new Error(`no resource for ${apiVersion} ${kind}`);
}

export function pathOf(apiVersion: string, plural: string, namespaced: boolean, ns: string | undefined, name?: string): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const nsPart = namespaced ? `/namespaces/${ns ?? 'default'}` : '';
  return `${base}${nsPart}/${plural}${name ? `/${name}` : ''}`;
}

/** Creates every object (in order), failing loudly on any error but "already exists". */
export async function applyAll(c: TestCluster, objs: Obj[], user: TestUser = 'admin'): Promise<void> {
  for (const o of objs) {
    const { plural, namespaced } = await resourceFor(c, o.apiVersion, o.kind);
    let r = await c.request(user, 'POST', pathOf(o.apiVersion, plural, namespaced, o.metadata.namespace), o);
    // Right after a CRD shows in discovery, creating one of its objects can still answer 404 for a
    // moment: retry 404s for up to 10 s, then fail with the answer.
    for (let i = 0; r.status === 404 && i < 50; i++) {
      await new Promise((s) => setTimeout(s, 200));
      r = await c.request(user, 'POST', pathOf(o.apiVersion, plural, namespaced, o.metadata.namespace), o);
    }
    if (r.status !== 201 && r.status !== 200 && r.status !== 409) {
      throw new Error(`creating ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${r.status} ${r.body.slice(0, 300)}`);
    }
    if (o.kind === 'CustomResourceDefinition') await resourceFor(c, `${(o.spec as { group: string }).group}/${(o.spec as { versions: Array<{ name: string }> }).versions[0].name}`, (o.spec as { names: { kind: string } }).names.kind);
  }
}
