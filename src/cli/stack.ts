// Stack traces of internal errors, as the user is asked to report them. bin/kubeward.js runs the
// bundle through vm.Script (for V8's code cache), whose frames Node does not map back to the sources
// even with --enable-source-maps: frames in dist/bundle/kubeward.cjs are mapped here with the source
// map the build writes beside it (node:module's SourceMap), to src/**/*.ts. Only on that error path.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';

const FRAME = /(\(|at )([^()\s]*[\\/]dist[\\/]bundle[\\/]kubeward\.cjs):(\d+):(\d+)/g;

/** The stack with frames in the bundle replaced by their place in the sources (unchanged if it cannot be). */
export function mapBundleStack(stack: string): string {
  const maps = new Map<string, SourceMap | null>();
  try {
    return stack.replace(FRAME, (whole, lead: string, file: string, line: string, column: string) => {
      if (!maps.has(file)) {
        let map: SourceMap | null = null;
        try {
          map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
        } catch {
          // no map beside the bundle: leave the frame as it is
        }
        maps.set(file, map);
      }
      const map = maps.get(file);
      const found = map?.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
      if (!found?.originalSource || found.originalLine === undefined || found.originalColumn === undefined) return whole;
      const source = found.originalSource.startsWith('file:') ? new URL(found.originalSource).pathname : path.resolve(path.dirname(file), found.originalSource);
      return `${lead}${source}:${found.originalLine + 1}:${found.originalColumn + 1}`;
    });
  } catch {
    return stack;
  }
}
