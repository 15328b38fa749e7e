// Task events to containerd: Events/Forward on its ttrpc socket, one at a
// time in publish order, with the namespace in the envelope and the metadata.
import type { Envelope } from '../events';
import type { Logger } from '../log';
import { messageType } from '../proto';
import { TtrpcClient } from '../ttrpc/client';
import { NAMESPACE_KEY } from '../ttrpc/status';

const EVENTS_SERVICE = 'containerd.services.events.ttrpc.v1.Events';
const ATTEMPTS = 5;

export class Publisher {
  private client?: TtrpcClient;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly address: string, private readonly namespace: string, private readonly log: Logger) {}

  publish(env: Envelope): void {
    const envelope = { ...env, namespace: this.namespace };
    this.queue = this.queue.then(() => this.forward(envelope));
  }

  /** Resolves once every event published so far was handed over (or given up on). */
  flushed(): Promise<void> {
    return this.queue;
  }

  private async forward(envelope: Envelope): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.client || this.client.closed) this.client = await TtrpcClient.connect(this.address);
        await this.client.call(EVENTS_SERVICE, 'Forward', messageType(`${EVENTS_SERVICE.replace(/\.Events$/, '')}.ForwardRequest`),
          messageType('google.protobuf.Empty'), { envelope }, { [NAMESPACE_KEY]: [this.namespace] });
        return;
      } catch (e) {
        this.client?.close();
        this.client = undefined;
        // containerd restarting: try again a little later, then give the event up.
        if (attempt >= ATTEMPTS) {
          this.log.warn('cannot forward an event to containerd', { topic: envelope.topic, error: (e as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  close(): void {
    this.client?.close();
  }
}
