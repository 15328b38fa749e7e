// A container's state and docker's STATUS text: "Created", "Up 3 seconds",
// "Up 2 minutes (Paused)", "Exited (4) 2 minutes ago".
import { CREATED_ANNOTATION } from '../annotations';
import { Status } from '@hull/shim/constants';
import { toDate } from '../client';
import type { Container } from '../containers';
import { humanDuration } from './duration';

export type State = 'created' | 'running' | 'paused' | 'exited' | 'unknown';

export interface Row {
  container: Container;
  command: string;
  created: Date;
  started?: Date;
  exited?: Date;
  exitCode: number;
  state: State;
}

const STATE: Record<number, State> = {
  [Status.CREATED]: 'created',
  [Status.RUNNING]: 'running',
  [Status.PAUSED]: 'paused',
  [Status.PAUSING]: 'running',
  [Status.STOPPED]: 'exited',
};

export function containerRow(c: Container): Row {
  const created = c.spec?.annotations?.[CREATED_ANNOTATION];
  return {
    container: c,
    command: (c.spec?.process.args ?? []).join(' '),
    created: created ? new Date(created) : (toDate(c.info.created_at) ?? new Date(0)),
    started: toDate(c.info.started_at),
    exited: toDate(c.info.exited_at),
    exitCode: c.info.exit_status,
    state: STATE[c.info.status] ?? 'unknown',
  };
}

export function statusText(r: Row, now: Date): string {
  const since = (d: Date | undefined) => humanDuration(Math.max(0, now.getTime() - (d ?? now).getTime()));
  switch (r.state) {
    case 'created':
      return 'Created';
    case 'running':
      return `Up ${since(r.started)}`;
    case 'paused':
      return `Up ${since(r.started)} (Paused)`;
    case 'exited':
      return `Exited (${r.exitCode}) ${since(r.exited)} ago`;
    default:
      return 'Unknown';
  }
}
