// errno numbers to names (EPERM, ENOENT, ...), from Node's own table.
// Built on first use: loading node:os costs every command that never meets an errno.

let names: Map<number, string> | undefined;

function table(): Record<string, number> {
  return (require('node:os') as typeof import('node:os')).constants.errno as Record<string, number>;
}

export function errnoName(errno: number): string {
  if (!names) {
    names = new Map();
    for (const [name, num] of Object.entries(table())) if (!names.has(num)) names.set(num, name);
  }
  return names.get(errno) ?? `errno ${errno}`;
}

export function errnoNumber(name: string): number | undefined {
  return table()[name];
}
