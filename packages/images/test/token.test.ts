// The bearer-token flow (WWW-Authenticate realm/service/scope → token →
// Authorization: Bearer) against a real docker-registry configured for token
// auth, with the token service served by this test (token-server.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRegistryConnections, Images } from '../src';
import { buildLayout, pushLayout, registryPrerequisites, startRegistry, type TestRegistry } from './registry';
import { startTokenServer, type TokenServer } from './token-server';
import { describeNeeds } from '@hull/testkit/jest';

const d = describeNeeds(registryPrerequisites());

d('bearer token auth', () => {
  let tmp: string;
  let tokens: TokenServer;
  let reg: TestRegistry;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-token-'));
    tokens = await startTokenServer(tmp, { alice: 'wonderland' });
    reg = await startRegistry({ token: tokens });
    // skopeo, a real client, goes through the same token service.
    await pushLayout(buildLayout(path.join(tmp, 'l')).dir, 'latest', `${reg.host}/lib/box:latest`, { user: 'alice', password: 'wonderland' });
  });
  afterAll(async () => {
    await reg?.stop();
    await tokens?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls anonymously with a pull-scoped token for the repository', async () => {
    tokens.requests.length = 0;
    const images = new Images({ root: path.join(tmp, 's1') });
    const rec = await images.pull(`${reg.host}/lib/box`);
    expect(rec.layers).toHaveLength(3);
    expect(tokens.requests[0]).toEqual({ service: 'hull-test-registry', scope: 'repository:lib/box:pull', user: undefined });
    // One token serves the whole pull.
    expect(tokens.requests).toHaveLength(1);
  });

  it('pushes with credentials (a push,pull token); refuses a push without them', async () => {
    const images = new Images({ root: path.join(tmp, 's2') });
    await images.pull(`${reg.host}/lib/box`);
    await images.tag(`${reg.host}/lib/box`, `${reg.host}/lib/copy:v1`);
    await expect(images.push(`${reg.host}/lib/copy:v1`)).rejects.toThrow(`${reg.host}/lib/copy:v1: denied: requested access to the resource is denied`);
    tokens.requests.length = 0;
    await images.push(`${reg.host}/lib/copy:v1`, { credentials: { username: 'alice', password: 'wonderland' } });
    expect(tokens.requests.some((r) => r.scope === 'repository:lib/copy:push,pull' && r.user === 'alice')).toBe(true);
    await expect(images.pull(`${reg.host}/lib/box`, { credentials: { username: 'alice', password: 'wrong' } })).rejects.toThrow(/unauthorized: the token service refused the credentials/);
    const other = new Images({ root: path.join(tmp, 's3') });
    expect((await other.pull(`${reg.host}/lib/copy:v1`)).layers).toHaveLength(3);
  });
});

afterAll(() => closeRegistryConnections());
