// import() of the npm packages kubeward loads only when a command needs them: the cloud SDKs, the
// Kubernetes client, the database drivers, ajv. One function does it because bin/kubeward.js runs the
// CLI as a script compiled with V8's code cache (vm.Script, see scripts/build/bundle.mjs), and on
// Node 20 such a script cannot import(): the dynamic-import callback does not survive cached data.
// The bin hands in its own import(), which resolves packages from the same package root.

export type PackageImporter = (specifier: string) => Promise<unknown>;

let importer: PackageImporter = (specifier) => import(specifier);

/** Called by bin/kubeward.js before main(). */
export function setPackageImporter(f: PackageImporter): void {
  importer = f;
}

/** The package's module namespace, as `import(specifier)` gives it. */
export function importPackage<T>(specifier: string): Promise<T> {
  return importer(specifier) as Promise<T>;
}
