import type { ScanResult } from '../core/types.js';
import type { Rule } from '../core/rule.js';

export interface ReportContext {
  /** Colours and other terminal niceties are allowed (stdout is a TTY and NO_COLOR is unset). */
  color: boolean;
  /** Every rule that ran, for reporters that describe rules (SARIF). */
  rules: readonly Rule[];
  /** Working directory, to make file paths relative. */
  cwd: string;
}

export type Reporter = (result: ScanResult, ctx: ReportContext) => string;

export interface ReporterEntry {
  description: string;
  /** File extension used when writing a default file name. */
  extension: string;
  render: Reporter;
  /**
   * The same text as `render`, in pieces (for large reports: no single string of the whole).
   * Optional; writers use it when present.
   */
  chunks?: (result: ScanResult, ctx: ReportContext) => Iterable<string>;
}
