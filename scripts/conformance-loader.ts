// Loader conformance: every CustomResourceDefinition in the corpora (and the benchmark manifests,
// when cached) must load the same when its schemas are skipped as text (src/loaders/crd-schema.ts)
// as when the whole section is parsed and the schemas dropped afterwards; and every object with large
// block scalars read on first use (src/loaders/block-defer.ts) must give, once read, what the whole
// parse gives.
//   node dist/scripts/conformance-loader.js [--check]   exits 1 on any difference
// Corpora: $KUBEWARD_CORPORA, else <repo>/../shared/corpora. Not part of `npm test`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsyaml from 'js-yaml';
import { parseManifestText } from '../src/loaders/manifest.js';
import { skimCrdSchemas } from '../src/loaders/crd-schema.js';
import { deferLargeBlockScalars } from '../src/loaders/block-defer.js';
import { slimLoadedObject } from '../src/loaders/slim.js';
import type { KubeObject } from '../src/core/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function* yamlFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* yamlFiles(p);
    else if (/\.ya?ml$/i.test(e.name)) yield p;
  }
}

function main(): number {
  const corpora = path.resolve(process.env.KUBEWARD_CORPORA || path.join(ROOT, '../shared/corpora'));
  if (!existsSync(corpora)) {
    console.error(`conformance-loader: corpora not found at ${corpora} (set KUBEWARD_CORPORA)`);
    return 2;
  }
  const roots = [corpora];
  const perf = path.join(process.env.KUBEWARD_CACHE || path.join(os.homedir(), '.cache/kubeward'), 'bench/perf-input');
  if (existsSync(perf)) roots.push(perf);
  let deferredFiles = 0;
  let deferredBlocks = 0;
  let files = 0;
  let crds = 0;
  let skimmed = 0;
  let bytes = 0;
  let skimmedBytes = 0;
  const differ: string[] = [];
  for (const root of roots) {
    for (const file of yamlFiles(root)) {
      const text = readFileSync(file, 'utf8');
      const blocks = text.split(/^(?=---(?:[ \t\r\n]|$))/m).reduce((n, section) => n + (deferLargeBlockScalars(section)?.blocks.length ?? 0), 0);
      if (blocks > 0) {
        const whole: unknown[] = [];
        try {
          jsyaml.loadAll(text, (d) => whole.push(d), { json: true });
          deferredFiles++;
          deferredBlocks += blocks;
          const got = parseManifestText(text, file).objects.map((o) => o.obj);
          const want = whole.flatMap((d) => (d && typeof d === 'object' && Array.isArray((d as { items?: unknown }).items) && String((d as KubeObject).kind).endsWith('List') ? ((d as { items: unknown[] }).items) : d == null ? [] : [d]));
          for (const o of want as KubeObject[]) slimLoadedObject(o);
          if (JSON.stringify(got) !== JSON.stringify(want)) differ.push(`${path.relative(root, file)} (deferred block scalars)`);
        } catch {
          // not YAML js-yaml reads whole: nothing to compare with
        }
      }
      if (!text.includes('CustomResourceDefinition')) continue;
      // The reference: js-yaml over the whole file (only files it reads without error), schemas dropped.
      const whole: unknown[] = [];
      try {
        jsyaml.loadAll(text, (d) => whole.push(d), { json: true });
      } catch {
        continue;
      }
      const ref = whole.filter((d): d is KubeObject => d !== null && typeof d === 'object' && !Array.isArray(d) && (d as KubeObject).kind === 'CustomResourceDefinition');
      if (ref.length === 0) continue;
      files++;
      for (const o of ref) slimLoadedObject(o);
      for (const section of text.split(/^(?=---(?:[ \t\r\n]|$))/m)) {
        const sk = skimCrdSchemas(section);
        if (sk) {
          skimmed++;
          bytes += section.length;
          skimmedBytes += sk.text.length;
        }
      }
      const got = parseManifestText(text, file).objects.filter((o) => o.obj.kind === 'CustomResourceDefinition').map((o) => o.obj);
      crds += ref.length;
      if (!isDeepStrictEqual(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(ref)))) differ.push(path.relative(root, file));
    }
  }
  console.log(
    `conformance-loader: ${crds} CRDs in ${files} files; ${skimmed} sections skimmed (${(bytes / 1048576).toFixed(1)} MiB of text read as ${(skimmedBytes / 1024).toFixed(0)} KiB); ` +
      `${deferredBlocks} large block scalars in ${deferredFiles} files read on first use; ${differ.length} differ`,
  );
  for (const f of differ.slice(0, 20)) console.log(`  DIFFERS ${f}`);
  if (process.argv.includes('--check') && (differ.length > 0 || crds === 0)) return 1;
  return 0;
}

process.exit(main());
