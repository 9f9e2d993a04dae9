// Parsing of container image references ([registry[:port]/]path[:tag][@digest]). Pure.

export interface ImageRef {
  /** Everything before the tag and digest: registry and repository path. */
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Splits an image reference; a ":" before the last "/" is a registry port, not a tag. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const ref: ImageRef = { name: rest };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** A well-formed content digest such as sha256:<64 hex>. */
export function hasValidDigest(ref: ImageRef): boolean {
  if (ref.digest === undefined || !DIGEST.test(ref.digest)) return false;
  const [algorithm, hex] = ref.digest.split(':');
  if (algorithm === 'sha256') return hex.length === 64;
  if (algorithm === 'sha512') return hex.length === 128;
  return true;
}

/** Image strings that are still templates (Helm, envsubst, kustomize vars, `<placeholder>`) cannot be judged. */
export function isUnresolvedImage(image: string): boolean {
  return image.trim() === '' || /\{\{|\$\{|\$\(|<[^>]*>/.test(image);
}
