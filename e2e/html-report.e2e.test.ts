// `kubeward scan --format html` in a real browser: Debian's Chromium (bash scripts/testenv/chromium.sh),
// driven by playwright-core. The page is written by the real CLI (node bin/kubeward.js) from
// manifests carrying markup in a container name, an annotation and a file name, then opened from disk.
// Checked: the page's script runs under its own Content-Security-Policy (no violation, no console
// error), nothing is fetched, the markup stays text, and the filters do what they say.
// FAILS (does not skip) when Chromium is missing: the error names the setup script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { fromRoot } from '../test/helpers/paths.js';

const CHROMIUM = process.env.KUBEWARD_CHROMIUM ?? '/usr/bin/chromium';
const PAYLOAD = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;

function kubeward(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [fromRoot('bin/kubeward.js'), ...args], { cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('the HTML report in Chromium: runs under its CSP, fetches nothing, keeps input markup as text, filters', async (t) => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: run bash scripts/testenv/chromium.sh (or set KUBEWARD_CHROMIUM)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubeward-html-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, `shop<b>x&'.yaml`),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    ignore.kubeward.io/drop-all-capabilities: ${JSON.stringify(`accepted for now ${PAYLOAD}`)}
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      hostNetwork: true
      containers:
        - name: ${JSON.stringify(`app${PAYLOAD}`)}
          image: registry.example/web:latest
          securityContext: { privileged: true }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: web-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: default, namespace: shop }]
`,
  );
  const out = await kubeward(['scan', '.', '--format', 'html', '-o', 'report.html'], dir);
  assert.equal(out.code, 1, out.stderr);
  const json = await kubeward(['scan', '.', '--format', 'json'], dir);
  const findings = JSON.parse(json.stdout).findings as Array<{ severity: string; pillar: string; ruleId: string; suppressed?: unknown }>;
  const active = findings.filter((f) => !f.suppressed);
  assert.ok(active.length >= 5 && findings.length > active.length, 'findings, and one suppressed');

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  // (Strings, not functions: this project compiles without the DOM library.)
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', function (e) { console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI); });",
  });
  const url = pathToFileURL(path.join(dir, 'report.html')).href;
  await page.goto(url);

  // The page's own script ran (it fills the count) under its policy; nothing else ran or loaded.
  const count = page.locator('#f-count');
  assert.equal(await count.textContent(), `${active.length} of ${findings.length} shown`);
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [url]);
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  assert.equal(await page.locator('img').count(), 0);
  assert.ok(((await page.locator('main').textContent()) ?? '').includes(`container "app${PAYLOAD}" runs privileged`), 'the payload is shown as text');

  // Filters: severities, pillar, text, suppressed.
  const visible = () => page.locator('details.finding:visible').count();
  const critical = active.filter((f) => f.severity === 'critical').length;
  assert.ok(critical > 0 && critical < active.length);
  for (const sev of ['high', 'medium', 'low', 'info']) await page.locator(`input[data-filter-sev][value="${sev}"]`).uncheck();
  assert.equal(await visible(), critical);
  assert.equal(await count.textContent(), `${critical} of ${findings.length} shown`);
  for (const sev of ['high', 'medium', 'low', 'info']) await page.locator(`input[data-filter-sev][value="${sev}"]`).check();
  await page.locator('#f-pillar').selectOption('least-privilege');
  assert.equal(await visible(), active.filter((f) => f.pillar === 'least-privilege').length);
  assert.ok(await page.locator('#pillar-workload').isHidden(), 'a pillar without shown findings is hidden');
  await page.locator('#f-pillar').selectOption('');
  await page.locator('#f-text').fill('hostNetwork');
  const byText = await visible();
  assert.ok(byText >= 1 && byText < active.length, `text filter: ${byText}`);
  await page.locator('#f-text').fill('');
  await page.locator('#f-supp').check();
  assert.equal(await visible(), findings.length);
  assert.equal(await count.textContent(), `${findings.length} of ${findings.length} shown`);

  // A finding opens to its fix and evidence.
  const first = page.locator('details.finding:visible').first();
  await first.locator('summary').click();
  assert.match((await first.textContent()) ?? '', /Fix:/);
  assert.deepEqual(problems, []);
});
