// Task events: packed as containerd does (an Envelope around an Any named by
// the event's full name) and handed to every subscriber in publish order.
import { packAny } from './proto';

export interface Envelope {
  timestamp: { seconds: number; nanos: number };
  namespace: string;
  topic: string;
  event: { type_url: string; value: Buffer };
}

export type Subscriber = (env: Envelope, containerId: string, event: Record<string, unknown>) => void;

export const TOPIC_TYPES: Record<string, string> = {
  '/tasks/create': 'containerd.events.TaskCreate',
  '/tasks/start': 'containerd.events.TaskStart',
  '/tasks/exit': 'containerd.events.TaskExit',
  '/tasks/delete': 'containerd.events.TaskDelete',
  '/tasks/exec-added': 'containerd.events.TaskExecAdded',
  '/tasks/exec-started': 'containerd.events.TaskExecStarted',
  '/tasks/paused': 'containerd.events.TaskPaused',
  '/tasks/resumed': 'containerd.events.TaskResumed',
  '/tasks/oom': 'containerd.events.TaskOOM',
  '/tasks/checkpointed': 'containerd.events.TaskCheckpointed',
};

export function now(): { seconds: number; nanos: number } {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  publish(topic: string, event: { container_id: string } & Record<string, unknown>): void {
    if (this.subscribers.size === 0) return;
    const env: Envelope = { timestamp: now(), namespace: 'hull', topic, event: packAny(TOPIC_TYPES[topic], event) };
    for (const fn of this.subscribers) fn(env, event.container_id, event);
  }
}
