// The one registry of cloud description shapes: how to recognise the JSON that a provider CLI
// prints (`aws eks describe-cluster`, `az aks show`, `gcloud container clusters describe`...) and
// turn it into cloud objects (src/cloud/model.ts). Recognition is by shape, never by file name.
// Pure: no I/O. Add a provider's shapes by appending its list to SHAPES below.
import type { ObjPath } from '../../core/types.js';
import type { CloudKind, Provider } from '../../cloud/model.js';
import { awsShapes } from './aws/shapes.js';
import { azureShapes } from './azure/shapes.js';
import { gcpShapes } from './gcp/shapes.js';

/** An object found in a document. Parts of the same provider, kind and name are merged field by field. */
export interface CloudPart {
  type: 'part';
  kind: CloudKind;
  /** Object name (cluster name, role name, trail name, ...), unique per provider and kind. */
  name: string;
  /** The provider's JSON for the object (after documented normalisation). */
  spec: Record<string, unknown>;
  /** Where `spec` sits inside the document: object path ['spec', 'a', 0] is located at [...at, 'a', 0]. */
  at: ObjPath;
  /** For specs assembled from a document of another layout: path inside spec -> path inside the document (overrides `at`). */
  map?: (specPath: ObjPath) => ObjPath;
  /** The cluster it belongs to, when the document says. */
  cluster?: string;
}

/**
 * A fragment that completes an object described in another document, for CLI outputs that do not
 * name their object (`aws cloudtrail get-trail-status`, `aws iam list-attached-role-policies`...).
 * The target is `target` when given; else the one loaded object of `kind` that accepts it (`place`
 * returns a path), narrowed to objects whose name occurs in the file name when there are several.
 */
export interface CloudPatch {
  type: 'patch';
  kind: CloudKind;
  target?: string;
  /**
   * Where the value goes inside a candidate target's spec (none: that target cannot take it).
   * `fileBase` is the lower-cased file name without extension, for fragments named after their object.
   */
  place(spec: Readonly<Record<string, unknown>>, fileBase: string): ObjPath[];
  /** Apply to every target that takes it (a managed policy document shared by several roles). */
  all?: boolean;
  value: unknown;
  /** Where the value sits inside the document. */
  at: ObjPath;
  /** Says what the fragment is, for messages ("get-trail-status output"). */
  what: string;
}

export type ShapeOutput = CloudPart | CloudPatch;

export interface Shape {
  /** The command whose output this is, e.g. "aws eks describe-cluster". */
  id: string;
  provider: Provider;
  /** The kind it yields or completes. */
  kind: CloudKind;
  /** One line for docs and messages. */
  describe: string;
  /** A complete listing (all trails, all access entries...): an empty one means "there are none". */
  lists?: CloudKind;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  match(json: any): boolean;
  /**
   * `ctx.fileBase` (lower-cased file name without extension) names objects the output itself does not
   * name (`gcloud iam service-accounts get-iam-policy`); '' for bundles and live collection.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  read(json: any, ctx?: { fileBase: string }): ShapeOutput[];
}

/** Every recognised shape, most specific first (the first match wins). */
export const SHAPES: readonly Shape[] = Object.freeze([
  ...awsShapes,
  ...azureShapes,
  ...gcpShapes,
]);

export function recognise(json: unknown): Shape | undefined {
  return SHAPES.find((s) => {
    try {
      return s.match(json);
    } catch {
      return false;
    }
  });
}

// Small helpers shared by the provider shape modules.
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `name` occurs in a (lower-cased) file name as a whole token, delimited by . _ - + @ or the ends. */
export function nameInFile(fileBase: string, name: string): boolean {
  const n = name.toLowerCase();
  if (n === '') return false;
  let i = fileBase.indexOf(n);
  while (i >= 0) {
    const before = i === 0 ? '' : fileBase.charAt(i - 1);
    const after = fileBase.charAt(i + n.length);
    if ((before === '' || /[._\-+@ ]/.test(before)) && (after === '' || /[._\-+@ ]/.test(after))) return true;
    i = fileBase.indexOf(n, i + 1);
  }
  return false;
}

export function part(kind: CloudKind, name: string, spec: Record<string, unknown>, at: ObjPath, cluster?: string): CloudPart {
  return { type: 'part', kind, name, spec, at, ...(cluster ? { cluster } : {}) };
}

/** IAM and similar policy documents: the API returns them URL-encoded JSON strings, the CLIs print objects. */
export function policyDocument(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  let s = v;
  if (/%[0-9A-Fa-f]{2}/.test(s)) {
    try {
      s = decodeURIComponent(s);
    } catch {
      /* keep as is */
    }
  }
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}
