// Unit tests of the Pod Security level evaluator (src/rules/workload/_pss-level.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePodSpec } from '../src/rules/workload/_pss-level.js';

const restrictedContainer = {
  name: 'app',
  image: 'app:1',
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};
const restrictedPod = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [restrictedContainer],
};

function level(spec: Record<string, unknown>, annotations: Record<string, string> = {}): string {
  return evaluatePodSpec(spec, annotations).level;
}

test('a fully hardened pod meets restricted', () => {
  assert.equal(level(restrictedPod), 'restricted');
  assert.deepEqual(evaluatePodSpec(restrictedPod).violations, []);
});

test('an empty-ish pod meets baseline only', () => {
  const v = evaluatePodSpec({ containers: [{ name: 'a', image: 'a:1' }] });
  assert.equal(v.level, 'baseline');
  assert.deepEqual(
    v.violations.map((x) => x.check).sort(),
    ['allowPrivilegeEscalation', 'capabilities_restricted', 'runAsNonRoot', 'seccompProfile_restricted'],
  );
});

test('baseline violations make a pod privileged', () => {
  assert.equal(level({ ...restrictedPod, hostPID: true }), 'privileged');
  assert.equal(level({ ...restrictedPod, volumes: [{ name: 'h', hostPath: { path: '/' } }] }), 'privileged');
  const priv = { ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, privileged: true } };
  assert.equal(level({ ...restrictedPod, containers: [priv] }), 'privileged');
  assert.equal(level(restrictedPod, { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }), 'privileged');
  assert.equal(level({ ...restrictedPod, securityContext: { ...restrictedPod.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }), 'privileged');
});

test('ephemeral and init containers are evaluated', () => {
  assert.equal(level({ ...restrictedPod, ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] }), 'baseline');
  assert.equal(level({ ...restrictedPod, initContainers: [{ ...restrictedContainer, name: 'i', ports: [{ containerPort: 80, hostPort: 80 }] }] }), 'privileged');
});

test('restricted capabilities allow only NET_BIND_SERVICE; baseline allows the default set', () => {
  const add = (caps: string[]) => ({
    ...restrictedPod,
    containers: [{ ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, capabilities: { drop: ['ALL'], add: caps } } }],
  });
  assert.equal(level(add(['NET_BIND_SERVICE'])), 'restricted');
  assert.equal(level(add(['CHOWN'])), 'baseline');
  assert.equal(level(add(['NET_RAW'])), 'privileged');
});

test('seccomp: pod level covers containers; container Unconfined is baseline; legacy annotations count', () => {
  const noSeccomp = { securityContext: { runAsNonRoot: true }, containers: [restrictedContainer] };
  assert.equal(level(noSeccomp), 'baseline');
  assert.equal(level(noSeccomp, { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }), 'restricted');
  const unconfined = { ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, seccompProfile: { type: 'Unconfined' } } };
  assert.equal(level({ ...restrictedPod, containers: [unconfined] }), 'privileged');
});

test('restricted volume types; a volume without a source is emptyDir; image volumes are allowed', () => {
  assert.equal(level({ ...restrictedPod, volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }), 'baseline');
  assert.equal(level({ ...restrictedPod, volumes: [{ name: 'e' }, { name: 'i', image: { reference: 'x:1' } }] }), 'restricted');
});

test('Windows pods are exempt from Linux-only restricted controls but not from runAsNonRoot', () => {
  const win = { os: { name: 'windows' }, containers: [{ name: 'w', image: 'w:1' }] };
  assert.deepEqual(evaluatePodSpec(win).violations.map((x) => x.check), ['runAsNonRoot']);
  assert.equal(level({ ...win, securityContext: { runAsNonRoot: true } }), 'restricted');
});

test('user-namespaced pods are exempt from runAsNonRoot, runAsUser and baseline procMount', () => {
  const userns = {
    hostUsers: false,
    securityContext: { runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, procMount: 'Unmasked' } }],
  };
  const v = evaluatePodSpec(userns);
  assert.equal(v.level, 'baseline');
  assert.deepEqual(v.violations.map((x) => x.check), ['procMount_restricted']);
});

test('runAsUser 0 at pod level is a restricted violation even when containers override it', () => {
  const spec = {
    securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ ...restrictedContainer, securityContext: { ...restrictedContainer.securityContext, runAsUser: 1000 } }],
  };
  assert.deepEqual(evaluatePodSpec(spec).violations, [{ check: 'runAsUser', level: 'restricted', where: 'pod' }]);
});
