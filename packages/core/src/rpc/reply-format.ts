/**
 * How a reply says that the handler threw: this header, with the body `{ name, message }`. A successful reply is
 * the handler's result as the body, with no such header, so that a client that is not warren reads it as is.
 */
export const RPC_ERROR_HEADER = 'x-warren-rpc-error';

/** The body of an error reply: only the name and message of what the handler threw, never its stack. */
export interface RpcErrorBody {
  name: string;
  message: string;
}

/** The name and message of anything thrown, and nothing more. */
export function describeThrown(thrown: unknown): RpcErrorBody {
  if (thrown instanceof Error) return { name: thrown.name || 'Error', message: thrown.message };
  return { name: 'Error', message: typeof thrown === 'string' ? thrown : String(thrown) };
}

/** Reads an error reply's body back; tolerant of a peer that sent something else. */
export function readErrorBody(body: unknown): RpcErrorBody {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Partial<
    Record<'name' | 'message', unknown>
  >;
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    message: typeof record.message === 'string' ? record.message : 'The remote handler failed.',
  };
}
