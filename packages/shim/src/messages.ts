// The hull.shim.v1 messages a client reads (proto/hull/shim/v1/hull.proto), in the
// plain-object form proto.ts's decode() gives: the protos' snake_case names, enums
// and 64-bit numbers as numbers, an unset message as null.

/** google.protobuf.Timestamp. */
export interface Timestamp {
  seconds: number;
  nanos: number;
}

/** hull.shim.v1.ExecInfo. */
export interface ExecInfo {
  exec_id: string;
  pid: number;
  /** containerd.v1.types.Status (constants.ts's Status). */
  status: number;
  exit_status: number;
  exited_at: Timestamp | null;
  terminal: boolean;
}

/** hull.shim.v1.TaskInfo: one task of Hull.List. */
export interface TaskInfo {
  id: string;
  bundle: string;
  pid: number;
  /** containerd.v1.types.Status (constants.ts's Status). */
  status: number;
  exit_status: number;
  exited_at: Timestamp | null;
  created_at: Timestamp | null;
  started_at: Timestamp | null;
  terminal: boolean;
  stdin: string;
  stdout: string;
  stderr: string;
  execs: ExecInfo[];
  runtime: string;
}

/** hull.shim.v1.Envelope, as Hull.Subscribe streams it; proto.ts's decodeEvent() opens `event`. */
export interface Envelope {
  timestamp: Timestamp | null;
  namespace: string;
  topic: string;
  event: { type_url: string; value: Buffer } | null;
  /** 1, 2, ... in publish order, across daemon restarts. */
  sequence: number;
  /** The task's OCI annotations at create; empty from a daemon older than this field. */
  annotations: Record<string, string>;
}
