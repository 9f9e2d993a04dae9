import type { ScanResult } from '../core/types.js';
import type { ReporterEntry } from './types.js';
import { jsonChunks } from './json-stream.js';

export const jsonReporter = {
  description: 'machine-readable JSON (versioned schema, see docs/json-schema.md)',
  extension: 'json',
  render: (result: ScanResult) => JSON.stringify(result, null, 2) + '\n',
  // Findings one by one: the same bytes as render().
  chunks: (result: ScanResult) => jsonChunks(result, 2, 2),
} satisfies ReporterEntry;
