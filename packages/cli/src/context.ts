// What every command gets: where the supervisor is, where hullctl keeps
// bundles, and a lazily opened gRPC client.
import type { ShimClient } from './client';

export const DEFAULT_STATE_DIR = '/var/lib/hull-shim';

export class Context {
  private shim?: ShimClient;

  constructor(readonly address: string, readonly stateDir: string) {}

  client(): ShimClient {
    if (!this.shim) {
      const { ShimClient } = require('./client') as typeof import('./client');
      this.shim = new ShimClient(this.address);
    }
    return this.shim;
  }

  close(): void {
    this.shim?.close();
  }
}

/** A command's handler: returns the exit code. */
export type Handler = (ctx: Context, argv: Record<string, unknown>) => Promise<number>;
