// CRD validation schemas are skipped as text before parsing (src/loaders/crd-schema.ts). What must
// hold: everything else in the CRD is exactly what a full parse gives; the skim gives up (and the
// section is parsed as written) whenever the text is not the plain layout it expects; and a CRD looks
// the same whichever way it came in (YAML skimmed, YAML parsed whole, JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsyaml from 'js-yaml';
import { parseManifestText } from '../src/loaders/manifest.js';
import { SKIPPED_SCHEMA_MARKER, removeSkippedSchemas, skimCrdSchemas } from '../src/loaders/crd-schema.js';

/** What a full parse gives, without the schemas: the expected object. */
function expected(text: string): unknown[] {
  const docs: unknown[] = [];
  jsyaml.loadAll(text, (d) => docs.push(d), { json: true });
  for (const d of docs as Array<{ kind?: string; spec?: { validation?: Record<string, unknown>; versions?: Array<{ schema?: Record<string, unknown> }> } }>) {
    if (d?.kind !== 'CustomResourceDefinition') continue;
    if (d.spec?.validation) delete d.spec.validation.openAPIV3Schema;
    for (const v of d.spec?.versions ?? []) if (v.schema) delete v.schema.openAPIV3Schema;
  }
  return docs.filter((d) => d != null);
}

/** The skim applies (not the fallback): the skimmed text parses, and every marker is a CRD's schema. */
function skimApplies(text: string, blocks: number): void {
  const sk = skimCrdSchemas(text);
  assert.ok(sk, 'skimmed');
  assert.equal(sk.skipped, blocks);
  const docs: unknown[] = [];
  jsyaml.loadAll(sk.text, (d) => docs.push(d), { json: true });
  assert.equal(removeSkippedSchemas(docs, sk.skipped), true);
  assert.deepEqual(docs.filter((d) => d != null), expected(text));
}

function loaded(text: string, file = 'crd.yaml'): unknown[] {
  const r = parseManifestText(text, file);
  assert.deepEqual(r.errors, []);
  return r.objects.map((o) => o.obj);
}

const CRD_V1 = `# a comment before the object
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
  annotations:
    note: |
      a block scalar that mentions
      openAPIV3Schema: in its text
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: false
    schema:
      openAPIV3Schema:   # the schema
        description: |
          Widget is a thing.

          kind: CustomResourceDefinition
        type: object
# a comment at column 0 inside the schema
        properties:
          spec:
            type: object
            required:
            - size
            properties:
              size: {type: integer,
                minimum: 1}
    subresources:
      status: {}
  - name: v2
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
    served: true
    storage: true
    additionalPrinterColumns:
    - jsonPath: .spec.size
      name: Size
      type: integer
`;

test('crd schema: skipped as text; every other field is what a full parse gives', () => {
  const skim = skimCrdSchemas(CRD_V1);
  assert.ok(skim);
  assert.equal(skim.skipped, 2);
  assert.ok(!skim.text.includes('minimum'), 'the schema text is gone');
  assert.ok(skim.text.includes('subresources:') && skim.text.includes('additionalPrinterColumns:'));
  skimApplies(CRD_V1, 2);
  const objs = loaded(CRD_V1);
  assert.deepEqual(objs, expected(CRD_V1));
  const v = (objs[0] as { spec: { versions: Array<{ schema: object }> } }).spec.versions;
  assert.deepEqual(v[0].schema, {});
  assert.deepEqual(v[1].schema, {});
});

test('crd schema: Windows line ends, v1beta1 validation, a sequence at the key indentation, a file of several objects', () => {
  const beta = `apiVersion: apiextensions.k8s.io/v1beta1
kind: "CustomResourceDefinition"
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  version: v1
  names: {kind: Gadget, plural: gadgets}
  validation:
    openAPIV3Schema:
      type: object
      allOf:
      - required: [a]
      - required: [b]
  scope: Cluster
`;
  const odd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: odd.example.com}
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
      - not a mapping, but YAML allows it here
      - and so the skim must take it too
      x-after: kept
`;
  const text = [beta, odd, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {openAPIV3Schema: "x"}\n'].join('---\n');
  for (const t of [text, text.replace(/\n/g, '\r\n')]) {
    skimApplies(t, 2);
    const objs = loaded(t);
    assert.equal(objs.length, 3);
    assert.deepEqual(objs, expected(t));
    assert.equal((objs[0] as { spec: { scope: string } }).spec.scope, 'Cluster');
    assert.equal((objs[1] as { spec: { versions: Array<{ schema: Record<string, unknown> }> } }).spec.versions[0].schema['x-after'], 'kept');
  }
});

test('crd schema: gives up when the text is not the plain layout, and the section is parsed as written', () => {
  // The key line sits inside a block scalar at column 0 of the scalar's own indentation: the marker
  // would land inside a string, so the check after parsing fails and the section is parsed whole.
  const inScalar = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: s.example.com
  annotations:
    example: |
      openAPIV3Schema:
        type: object
spec:
  versions: []
`;
  const sk = skimCrdSchemas(inScalar);
  assert.ok(sk, 'the line looks like a schema key');
  const docs: unknown[] = [];
  jsyaml.loadAll(sk.text, (d) => docs.push(d), { json: true });
  assert.equal(removeSkippedSchemas(docs, sk.skipped), false, 'the marker is not where a CRD keeps its schema');
  assert.deepEqual(loaded(inScalar), expected(inScalar));
  assert.match((loaded(inScalar)[0] as { metadata: { annotations: { example: string } } }).metadata.annotations.example, /openAPIV3Schema:\n {2}type: object/);

  // An anchor inside the schema used outside it: the skimmed text does not parse; the whole does.
  const anchored = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: a.example.com}
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        description: &d shared words
    additionalPrinterColumns:
    - {name: X, type: string, jsonPath: .x, description: *d}
`;
  const objs = loaded(anchored);
  assert.deepEqual(objs, expected(anchored));
  assert.equal((objs[0] as { spec: { versions: Array<{ additionalPrinterColumns: Array<{ description: string }> }> } }).spec.versions[0].additionalPrinterColumns[0].description, 'shared words');

  // The marker itself in the input: not skimmed at all.
  assert.equal(skimCrdSchemas(CRD_V1.replace('a thing', SKIPPED_SCHEMA_MARKER)), undefined);
  assert.deepEqual(loaded(CRD_V1.replace('a thing', SKIPPED_SCHEMA_MARKER)), expected(CRD_V1));
  // Not a CRD at top level (a CRD inside a ConfigMap's text): nothing skipped.
  const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  crd.yaml: |\n    kind: CustomResourceDefinition\n    spec:\n      openAPIV3Schema:\n        type: object\n`;
  assert.equal(skimCrdSchemas(cm), undefined);
  assert.deepEqual(loaded(cm), expected(cm));
  // A key with its value on the same line is left alone (and dropped after parsing, like any schema).
  const inline = CRD_V1.replace(/openAPIV3Schema:\n {8}type: object\n {8}x-kubernetes-preserve-unknown-fields: true/, 'openAPIV3Schema: {type: object}');
  assert.equal(skimCrdSchemas(inline)?.skipped, 1);
  assert.deepEqual(loaded(inline), expected(inline));
});

test('crd schema: the same CRD from YAML, from YAML that must be parsed whole, and from JSON', () => {
  const fromYaml = loaded(CRD_V1);
  const fromJson = loaded(JSON.stringify(jsyaml.load(CRD_V1)), 'crd.json');
  // A YAML alias of a collection sends the section to the careful parser, which reads it whole.
  const whole = loaded(CRD_V1.replace('subresources:\n      status: {}', 'subresources:\n      status: &st {x: 1}\n      scale: *st'));
  assert.deepEqual(fromJson, fromYaml);
  const w = whole[0] as { spec: { versions: Array<{ schema: object; subresources?: unknown }> } };
  assert.deepEqual(w.spec.versions[0].schema, {});
  assert.deepEqual(w.spec.versions[1].schema, {});
});

test('crd schema: a YAML error inside a skipped schema is not reported (the part kubeward does not read)', () => {
  const broken = CRD_V1.replace('minimum: 1}', 'minimum: 1');
  const r = parseManifestText(broken, 'crd.yaml');
  assert.deepEqual(r.errors, []);
  assert.equal(r.objects.length, 1);
  // The same error outside the schema is reported, with its line.
  const outside = CRD_V1.replace('status: {}', 'status: {');
  const e = parseManifestText(outside, 'crd.yaml');
  assert.equal(e.objects.length, 0);
  assert.equal(e.errors.length, 1);
  assert.match(e.errors[0].message, /invalid YAML/);
});
