// Docker's tables: columns padded by three spaces, at least ten wide; the
// last column is not padded.

function width(s: string): number {
  return [...s].length;
}

export function renderTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(10, ...all.map((r) => width(r[c] ?? '') + 3)));
  return all
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c]! - width(cell)))).join('').trimEnd() + '\n')
    .join('');
}

/** Cut to `max` characters, ending with "…" when cut (docker's Ellipsis). */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max - 1).join('') + '…';
}
