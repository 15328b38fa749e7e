// The runtime options containerd passes a shim: a google.protobuf.Any on
// `start`'s stdin and in CreateTaskRequest.options. hull reads runc's
// Options (binary_name, root); other fields and other types are ignored.
import { decode, messageType } from '../proto';

export const RUNC_OPTIONS_TYPE = 'containerd.runc.v1.Options';

export interface RuntimeOptions {
  binaryName: string;
  root: string;
  /** Why some options were not used (the daemon logs these). */
  ignored: string[];
}

export function runtimeOptions(any: { type_url?: string; value?: Uint8Array } | null | undefined): RuntimeOptions {
  const out: RuntimeOptions = { binaryName: '', root: '', ignored: [] };
  if (!any?.type_url) return out;
  const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  if (name !== RUNC_OPTIONS_TYPE) {
    out.ignored.push(`options of type ${any.type_url}: not understood`);
    return out;
  }
  const o = decode(messageType(RUNC_OPTIONS_TYPE), any.value ?? Buffer.alloc(0));
  out.binaryName = o.binary_name;
  out.root = o.root;
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'binary_name' && k !== 'root' && v !== '' && v !== false && v !== 0) out.ignored.push(`option ${k}: not supported by hull's shim`);
  }
  return out;
}

/** Options from raw bytes (start's stdin): an encoded Any, possibly empty. */
export function runtimeOptionsFromBytes(bytes: Buffer): RuntimeOptions {
  if (!bytes.length) return runtimeOptions(undefined);
  return runtimeOptions(decode(messageType('google.protobuf.Any'), bytes));
}
