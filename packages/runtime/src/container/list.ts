// `hull list` and `hull state`: what runc prints for them.
import { userInfo } from 'node:os';
import fs from 'node:fs';
import type { ContainerRecord, StateStore } from '../state/store';
import { statusOf } from './status';

export interface ContainerSummary {
  ociVersion: string;
  id: string;
  pid: number;
  status: string;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

export function summarize(store: StateStore, rec: ContainerRecord): ContainerSummary {
  const status = statusOf(store, rec);
  const out: ContainerSummary = {
    ociVersion: rec.ociVersion,
    id: rec.id,
    pid: status === 'stopped' ? 0 : rec.pid,
    status,
    bundle: rec.bundle,
    rootfs: rec.rootfs,
    created: rec.created,
    owner: ownerOf(store, rec.id),
  };
  if (rec.annotations && Object.keys(rec.annotations).length) out.annotations = rec.annotations;
  return out;
}

function ownerOf(store: StateStore, id: string): string {
  try {
    const uid = fs.statSync(store.dir(id)).uid;
    return uid === process.getuid?.() ? userInfo().username : String(uid);
  } catch {
    return '';
  }
}

export function list(store: StateStore): ContainerSummary[] {
  const out: ContainerSummary[] = [];
  for (const id of store.ids()) {
    try {
      out.push(summarize(store, store.read(id)));
    } catch {
      // removed while we looked
    }
  }
  return out;
}

/** runc's table: Go's tabwriter with minwidth 12, padding 3. */
export function formatTable(rows: ContainerSummary[]): string {
  const table = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...rows.map((r) => [r.id, String(r.pid), r.status, r.bundle, r.created, r.owner])];
  const widths = table[0].map((_, c) => Math.max(12, ...table.map((row) => row[c].length + 3)));
  return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('')).join('\n') + '\n';
}
