// Writes schemas/config.schema.json and schemas/ignore.schema.json from the schemas the loader
// validates with (src/loaders/config.ts), for editors (yaml-language-server) and other tools.
// `node dist/scripts/gen-schemas.js --check` exits 1 when the committed files differ.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, ignoreSchema } from '../src/loaders/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function expectedSchemas(): Map<string, string> {
  const render = (s: object) => JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...s }, null, 2) + '\n';
  return new Map([
    ['config.schema.json', render(configSchema)],
    ['ignore.schema.json', render(ignoreSchema)],
  ]);
}

function main(): void {
  const check = process.argv.includes('--check');
  const dir = path.join(ROOT, 'schemas');
  mkdirSync(dir, { recursive: true });
  let drift = 0;
  for (const [name, content] of expectedSchemas()) {
    const p = path.join(dir, name);
    if ((existsSync(p) ? readFileSync(p, 'utf8') : undefined) === content) continue;
    drift++;
    if (check) console.error(`schemas/${name} is out of date`);
    else writeFileSync(p, content);
  }
  if (check && drift > 0) {
    console.error('run: npm run schemas');
    process.exit(1);
  }
  if (!check) console.log(`schemas: ${drift} updated`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
