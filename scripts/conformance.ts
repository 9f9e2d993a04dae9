// Conformance suite: runs kubeward's rules over third-party test corpora (Polaris, kube-linter,
// Kyverno, Kubescape regolibrary, Gatekeeper, Checkov) and compares verdicts with the peers'.
//   node dist/scripts/conformance.js           writes docs/conformance.md and prints a summary
//   node dist/scripts/conformance.js --check   exits 1 when agreement < 95 %, on any unexplained
//                                              disagreement, or when docs/conformance.md is stale
// Corpora: $KUBEWARD_CORPORA, else <repo>/../shared/corpora. Not part of `npm test`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConformance } from './conformance/run.js';
import { agreement, mapped, pct, renderReport, tally } from './conformance/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = path.join(ROOT, 'docs/conformance.md');
const MIN_AGREEMENT = 95;

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const corporaRoot = path.resolve(process.env.KUBEWARD_CORPORA || path.join(ROOT, '../shared/corpora'));
  if (!existsSync(corporaRoot)) {
    console.error(`conformance: corpora not found at ${corporaRoot} (set KUBEWARD_CORPORA)`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const res = await runConformance(corporaRoot);
  const ms = Number((process.hrtime.bigint() - started) / 1000000n);
  const doc = renderReport(res);
  const t = tally(res.results);

  console.log(
    `conformance: ${t.cases} cases over ${res.corpora.length} corpora; mapped ${mapped(t)}: agree ${t.agree} (${pct(t)}), ` +
      `deliberate ${t.deliberate}, unexplained ${t.unexplained}; unmapped ${t.unmapped} (${ms} ms)`,
  );
  for (const c of res.corpora) {
    const ct = tally(res.results.filter((r) => r.case.corpus === c.id));
    console.log(`  ${c.id.padEnd(12)} mapped ${String(mapped(ct)).padStart(4)}  agree ${pct(ct).padStart(8)}  deliberate ${ct.deliberate}  unexplained ${ct.unexplained}`);
  }
  const unexplained = res.results.filter((r) => r.status === 'unexplained');
  for (const r of unexplained.slice(0, 40)) {
    console.log(`  UNEXPLAINED ${r.case.id} [${r.ruleLabel}]: peer ${r.case.expect}, kubeward ${r.ours}`);
  }
  if (unexplained.length > 40) console.log(`  ... and ${unexplained.length - 40} more (see docs/conformance.md)`);
  for (const k of res.staleDeliberate) console.warn(`  warning: deliberate.ts entry no longer needed: ${k}`);
  for (const k of res.missingEntries) console.error(`  no mapping entry for ${k} (scripts/conformance/mapping.ts)`);

  if (!check) {
    const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
    if (have !== doc) writeFileSync(DOC, doc);
    console.log(`docs/conformance.md ${have === doc ? 'unchanged' : 'written'}`);
    return 0;
  }
  let failed = false;
  if (agreement(t) < MIN_AGREEMENT) {
    console.error(`conformance: agreement ${pct(t)} is below ${MIN_AGREEMENT} %`);
    failed = true;
  }
  if (unexplained.length > 0) {
    console.error(`conformance: ${unexplained.length} unexplained disagreement(s)`);
    failed = true;
  }
  if (res.missingEntries.length > 0) {
    console.error(`conformance: ${res.missingEntries.length} peer check(s) without a mapping entry`);
    failed = true;
  }
  const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : undefined;
  if (have !== doc) {
    console.error('conformance: docs/conformance.md is out of date: run npm run conformance');
    failed = true;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`conformance: internal error: ${(e as Error).stack ?? String(e)}`);
    process.exit(3);
  },
);
