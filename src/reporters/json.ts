import type { ReporterEntry } from './types.js';

export const jsonReporter: ReporterEntry = {
  description: 'machine-readable JSON (versioned schema, see docs/json-schema.md)',
  extension: 'json',
  render: (result) => JSON.stringify(result, null, 2) + '\n',
};
