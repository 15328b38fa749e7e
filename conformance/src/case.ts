// A conformance case: one spec sentence, one check through the runtime's command line.
import type { Context } from './context';

export interface Case {
  /** Stable name, `group/what`, shown in the table and matched by --filter. */
  name: string;
  /** The spec file and the sentence the case checks, quoted. */
  spec: string;
  /**
   * Runtimes known to contradict the spec here (runtime name → why). A failure on such a runtime counts
   * as an expected deviation; every other runtime must pass.
   */
  deviations?: Record<string, string>;
  run(t: Context): Promise<void>;
}

/** Quotes a spec sentence with its file: `config.md: "…"`. */
export function quote(file: string, sentence: string): string {
  return `${file}: "${sentence}"`;
}
