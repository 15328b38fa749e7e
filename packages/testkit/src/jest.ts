// Jest tests that need something of the host: run where it is there,
// skipped with the reason where it is not. The reason rides in the skipped
// title as " [skipped: …]"; scripts/jest-summary.js lists those in the
// summary of `make test`.
import type { Missing } from './host';

/** The reasons joined (each once), or undefined when nothing is missing. */
export function why(...missing: Missing[]): string | undefined {
  const reasons = [...new Set(missing.filter((m): m is string => !!m))];
  return reasons.length ? reasons.join('; ') : undefined;
}

/** A skipped test's title carrying its reason, in the form the summary reporter reads. */
export function skippedTitle(title: string, reason: string): string {
  return `${title} [skipped: ${reason}]`;
}

/** `it`, or, when the host lacks something, an `it` whose tests are skipped and say what is missing. */
export function itNeeds(...missing: Missing[]): jest.It {
  const reason = why(...missing);
  if (!reason) return it;
  const skipped = (title: string, fn?: jest.ProvidesCallback, timeout?: number) => it.skip(skippedTitle(title, reason), fn, timeout);
  skipped.each = (table: any) => (title: string, fn: any, timeout?: number) => it.skip.each(table)(skippedTitle(title, reason), fn, timeout);
  return skipped as unknown as jest.It;
}

/** `describe`, or a skipped `describe` whose title says what the host lacks. */
export function describeNeeds(...missing: Missing[]): jest.Describe {
  const reason = why(...missing);
  if (!reason) return describe;
  const skipped = (title: string, fn: jest.EmptyFunction) => describe.skip(skippedTitle(title, reason), fn);
  skipped.each = (table: any) => (title: string, fn: any, timeout?: number) => describe.skip.each(table)(skippedTitle(title, reason), fn, timeout);
  return skipped as unknown as jest.Describe;
}
