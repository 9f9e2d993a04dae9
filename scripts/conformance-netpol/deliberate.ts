// Inputs the netpol conformance run needs, and the disagreements with the oracles that are
// deliberate, each with its reason. `conformance-netpol --check` fails on any other disagreement.

/** Values substituted for `{{ index .HostNetworkPorts N }}` in the conformance manifests. */
export const HOST_NETWORK_PORTS: readonly number[] = [34345, 34346, 34347, 34348, 34349, 34350, 34351, 34352];

/** The kind nodes of the conformance suite (linux nodes; hostNetwork pods run on them). */
export const SYNTHETIC_NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'conformance-node', labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'conformance-node' } },
};

/** "<suite> | <case id>" -> why kubeward decides otherwise. */
export const DELIBERATE: Readonly<Record<string, string>> = {};
