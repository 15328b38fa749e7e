// hull ends with process.exit once nothing is pending (bin/hull): output still
// on its way to a reader that is slow to read must arrive whole all the same.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { cleanEnv, cleanupAll, HULL, tempDir } from './helpers';

afterEach(cleanupAll);

/** A stopped container's record, as create leaves one whose init is gone (no process, no cgroup). */
function fakeStopped(root: string, id: string, bundle: string): void {
  fs.mkdirSync(path.join(root, id), { recursive: true });
  const rec = { ociVersion: '1.0.2', id, pid: 0, startTime: '', bundle, rootfs: `${bundle}/rootfs`, annotations: {}, created: new Date().toISOString(), cgroupPaths: {}, spec: { ociVersion: '1.0.2' } };
  fs.writeFileSync(path.join(root, id, 'state.json'), JSON.stringify(rec));
}

test('list output several times a pipe buffer, read only later, arrives whole', async () => {
  const root = tempDir();
  // 200 containers with bundle paths of 900 characters: some 400 KB of JSON, six 64 KiB pipe buffers, in one write.
  const ids = Array.from({ length: 200 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  for (const id of ids) fakeStopped(root, id, `/nonexistent/${id}-${'x'.repeat(880)}`);
  const child = spawn(HULL, ['--root', root, 'list', '--format', 'json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  child.stdout.pause();
  // Let hull write what fits and come to its end with the rest still queued.
  await new Promise((r) => setTimeout(r, 500));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stdout.resume();
  const code = await closed;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const rows = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; bundle: string }[];
  expect(rows.map((r) => r.id)).toEqual(ids);
  expect(rows.every((r) => r.bundle.endsWith('x'.repeat(880)))).toBe(true);
});
