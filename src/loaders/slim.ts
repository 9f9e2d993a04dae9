// What kubeward drops from objects as they are loaded, because no rule or analysis reads it (like
// `metadata.managedFields`, which the live collector drops before parsing). The one such part with
// weight is a Pod's per-container and condition status: about a quarter of a running Pod's JSON,
// ~60 MB of the 50,000-pod benchmark's heap. What a Pod's status still carries: phase, podIP(s),
// hostIP(s), start time, QoS class, reason and message. Snapshots written by kubeward carry the same.
// A CustomResourceDefinition loses its validation schemas (`openAPIV3Schema`): YAML sections skip
// them before parsing (crd-schema.ts); this drops them from CRDs that came another way (JSON, a
// section parsed as written), so that every CRD looks the same to rules whatever its source.
import type { KubeObject } from '../core/types.js';
import { crdSchemaHolders } from './crd-schema.js';

/** Pod status fields dropped on load (files, snapshots and live clusters alike). */
export const DROPPED_POD_STATUS_FIELDS: readonly string[] = ['conditions', 'containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses'];

const DROPPED = new Set(DROPPED_POD_STATUS_FIELDS);

/** Drops the parts no rule reads from a freshly parsed object (mutates it: call before it is shared). */
export function slimLoadedObject(o: KubeObject): void {
  if (o.kind === 'CustomResourceDefinition') {
    dropCrdSchemas(o);
    return;
  }
  if (o.kind !== 'Pod' || o.apiVersion !== 'v1') return;
  const st = (o as { status?: unknown }).status;
  if (st === null || typeof st !== 'object' || Array.isArray(st)) return;
  if (!Object.keys(st).some((k) => DROPPED.has(k))) return;
  // A new object rather than `delete`, which would turn the status into a slower, larger dictionary.
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(st)) if (!DROPPED.has(k)) kept[k] = v;
  (o as { status?: unknown }).status = kept;
}

/** Removes `openAPIV3Schema` from spec.validation and each spec.versions[].schema of a CRD. */
function dropCrdSchemas(o: KubeObject): void {
  for (const holder of crdSchemaHolders(o)) if ('openAPIV3Schema' in holder) delete holder.openAPIV3Schema;
}
