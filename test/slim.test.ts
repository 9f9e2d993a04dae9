// Pods lose the status parts no rule reads (per-container and condition status) as they are loaded;
// everything else, and every other kind, is kept as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestText } from '../src/loaders/manifest.js';
import { DROPPED_POD_STATUS_FIELDS, slimLoadedObject } from '../src/loaders/slim.js';
import type { KubeObject } from '../src/core/types.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  status: {
    phase: 'Running',
    podIP: '10.0.0.7',
    podIPs: [{ ip: '10.0.0.7' }],
    hostIP: '10.1.0.1',
    qosClass: 'BestEffort',
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'c', imageID: 'docker.io/library/nginx@sha256:00', ready: true }],
    initContainerStatuses: [],
    ephemeralContainerStatuses: [],
  },
};

test('slim: a Pod keeps its addresses and phase, not its per-container and condition status', () => {
  const [o] = parseManifestText(JSON.stringify(pod), 'pod.json').objects;
  assert.deepEqual(o.obj.status, { phase: 'Running', podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }], hostIP: '10.1.0.1', qosClass: 'BestEffort' });
  assert.deepEqual(o.obj.spec, pod.spec);
  for (const f of DROPPED_POD_STATUS_FIELDS) assert.ok(!(f in (o.obj.status as object)), f);
});

test('slim: other kinds and pods without those fields are left as they are', () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready' }], addresses: [{ type: 'InternalIP', address: '10.1.0.1' }] } };
  const n = structuredClone(node) as unknown as KubeObject;
  slimLoadedObject(n);
  assert.deepEqual(n, node);
  const bare = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Pending' } } as unknown as KubeObject;
  const st = (bare as { status?: unknown }).status;
  slimLoadedObject(bare);
  assert.equal((bare as { status?: unknown }).status, st);
  const crd = { apiVersion: 'example.com/v1', kind: 'Pod', metadata: { name: 'x' }, status: { conditions: [1] } } as unknown as KubeObject;
  slimLoadedObject(crd);
  assert.deepEqual((crd as { status?: unknown }).status, { conditions: [1] });
});
