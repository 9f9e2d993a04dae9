// The one registry of output formats; `--format` choices come from its keys.
import type { ReporterEntry } from './types.js';
import { textReporter } from './text.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { markdownReporter } from './markdown.js';
import { junitReporter } from './junit.js';
import { htmlReporter } from './html.js';

export const reporters = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  markdown: markdownReporter,
  junit: junitReporter,
  html: htmlReporter,
} satisfies Record<string, ReporterEntry>;

export type FormatName = keyof typeof reporters;

export function isFormat(s: string): s is FormatName {
  return Object.prototype.hasOwnProperty.call(reporters, s);
}
