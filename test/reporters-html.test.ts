// `--format html`: one self-contained page. What a browser makes of it is tested in
// e2e/html-report.e2e.test.ts (real Chromium); here: the page holds every finding, escapes every
// string from the input, and allows exactly its own style sheet and script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { kubeward, tempDir } from './helpers/cli.js';
import { esc, htmlCsp } from '../src/reporters/html.js';

/** Markup that must stay text: it reaches the page through a container name, an annotation and a file name. */
const PAYLOAD = `<img src=x onerror="window.__pwned=1">'"&`;

function hostile(): string {
  return tempDir({
    [`we<ird>&'".yaml`]: `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  annotations:
    ignore.kubeward.io/drop-all-capabilities: ${JSON.stringify(`reason ${PAYLOAD}`)}
spec:
  containers:
    - name: ${JSON.stringify(`app${PAYLOAD}`)}
      image: registry.example/app:latest
      securityContext: { privileged: true }
`,
  });
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('base64');
}

test('html: escapes text for content and attributes', () => {
  assert.equal(esc(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
});

test('html: the page holds every finding of the JSON report, input strings escaped, no markup of theirs', async () => {
  const cwd = hostile();
  const [html, json] = await Promise.all([kubeward(['scan', '.', '--format', 'html'], { cwd }), kubeward(['scan', '.', '--format', 'json'], { cwd })]);
  assert.equal(html.code, json.code);
  assert.equal(html.code, 1, html.stderr);
  const page = html.stdout;
  const findings = json.json().findings as Array<{ ruleId: string; message: string; suppressed?: unknown }>;
  assert.ok(findings.length >= 3);
  assert.equal((page.match(/<details class="finding /g) ?? []).length, findings.length);
  for (const f of findings) assert.ok(page.includes(esc(f.message)), `message of ${f.ruleId}`);
  // Each rule that fired is described once, in the appendix its findings link to.
  for (const id of new Set(findings.map((f) => f.ruleId))) {
    assert.equal(page.split(`<section id="rule-${id}">`).length - 1, 1, `appendix entry of ${id}`);
    assert.equal(page.split(`href="#rule-${id}"`).length - 1, findings.filter((f) => f.ruleId === id).length, `links to ${id}`);
  }
  // The payload is shown as text, never as markup.
  assert.ok(!page.includes('<img'), 'no img element');
  assert.ok(page.includes(esc(`container "app${PAYLOAD}" runs privileged`)), 'payload in a message, shown escaped');
  assert.ok(page.includes(esc(`reason ${PAYLOAD}`)), 'payload in a suppression reason, shown escaped');
  assert.ok(page.includes(esc(`we<ird>&'".yaml`)), 'file name shown escaped');
  assert.doesNotMatch(page, /<[a-z][^>]*\son[a-z]+\s*=/i, 'no event-handler attribute');
  assert.equal((page.match(/<script\b/g) ?? []).length, 1, 'one script element: the page’s own');
  // Suppressed findings are on the page, marked and hidden until asked for.
  const suppressed = findings.filter((f) => f.suppressed).length;
  assert.ok(suppressed >= 1, 'the annotation suppressed a finding');
  assert.equal((page.match(/data-suppressed="1"/g) ?? []).length, suppressed);
});

test('html: the Content-Security-Policy allows exactly the page’s own style sheet and script', async () => {
  const run = await kubeward(['scan', hostile(), '--format', 'html']);
  const page = run.stdout;
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
  assert.ok(meta, 'CSP meta element');
  assert.equal(meta[1], htmlCsp());
  assert.match(htmlCsp(), /^default-src 'none';/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1];
  assert.ok(htmlCsp().includes(`style-src 'sha256-${sha256(style)}'`), 'style hash');
  assert.ok(htmlCsp().includes(`script-src 'sha256-${sha256(script)}'`), 'script hash');
  assert.doesNotMatch(page, /\sstyle=/, 'no style attributes (the policy would block them)');
  assert.doesNotMatch(page, /<[a-z][^>]*\s(?:src|srcset|data|action)=|<(?:link|iframe|object|embed|img|video|audio|source|form)\b/i, 'nothing loaded');
  assert.doesNotMatch(style, /@import|url\(/, 'the style sheet loads nothing');
});

test('html: -o writes the page; a clean input says so; input errors and gaps are listed', async () => {
  const cwd = tempDir({
    'ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: d }\ndata: { a: b }\n',
    'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: [\n',
  });
  const run = await kubeward(['scan', '.', '--format', 'html', '-o', 'report.html', '--cloud', 'none'], { cwd });
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  const page = readFileSync(path.join(cwd, 'report.html'), 'utf8');
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /<p>No findings\.<\/p>/);
  assert.match(page, /<h2 id="input-errors">Input errors \(1\)<\/h2>/);
  assert.match(page, /<code>broken\.yaml:\d+(:\d+)?<\/code>/);
  assert.match(page, /<\/html>\n$/);
});
