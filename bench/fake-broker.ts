/**
 * A fake AMQP 0-9-1 broker that speaks just enough of the protocol for a publisher: the connection handshake
 * (PLAIN accepted whatever the password), channel open/close, confirm.select, basic.qos, queue and exchange
 * declares (answered, nothing kept), and basic.publish, each answered with an ack as soon as its content is
 * complete: one `multiple` ack per chunk read from the socket, as RabbitMQ coalesces its confirms. With the
 * broker's own work gone, a benchmark against it measures what a client costs by itself.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const FRAME_END = 0xce;
const METHOD = 1;
const HEADER = 2;
const BODY = 3;

/** Per channel: publishes whose content is complete, and the content still expected for the current one. */
interface ChannelState {
  published: number;
  acked: number;
  remaining: number;
  confirming: boolean;
}

function frame(type: number, channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 8);
  out.writeUInt8(type, 0);
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out.writeUInt8(FRAME_END, payload.length + 7);
  return out;
}

function method(channel: number, classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.allocUnsafe(4 + args.length);
  payload.writeUInt16BE(classId, 0);
  payload.writeUInt16BE(methodId, 2);
  args.copy(payload, 4);
  return frame(METHOD, channel, payload);
}

function shortString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function longString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** A field table of booleans (the server's capabilities). */
function booleanTable(entries: Record<string, boolean>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(entries))
    parts.push(shortString(key), Buffer.from(['t'.charCodeAt(0), value ? 1 : 0]));
  const body = Buffer.concat(parts);
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}

function connectionStart(): Buffer {
  const capabilities = booleanTable({
    publisher_confirms: true,
    'basic.nack': true,
    consumer_cancel_notify: true,
    'connection.blocked': true,
    exchange_exchange_bindings: true,
    per_consumer_qos: true,
    authentication_failure_close: true,
  });
  const properties = Buffer.concat([
    shortString('capabilities'),
    Buffer.from('F'),
    capabilities,
    shortString('product'),
    Buffer.from('S'),
    longString('warren fake broker'),
  ]);
  const table = Buffer.allocUnsafe(4);
  table.writeUInt32BE(properties.length, 0);
  return method(
    0,
    10,
    10,
    Buffer.concat([Buffer.from([0, 9]), table, properties, longString('PLAIN AMQPLAIN'), longString('en_US')]),
  );
}

function tune(frameMax: number): Buffer {
  const args = Buffer.allocUnsafe(8);
  args.writeUInt16BE(2047, 0);
  args.writeUInt32BE(frameMax, 2);
  args.writeUInt16BE(0, 6);
  return method(0, 10, 30, args);
}

function ack(channel: number, tag: number, multiple: boolean): Buffer {
  const args = Buffer.allocUnsafe(9);
  args.writeBigUInt64BE(BigInt(tag), 0);
  args.writeUInt8(multiple ? 1 : 0, 8);
  return method(channel, 60, 80, args);
}

/** Serves one client connection. */
function serve(socket: net.Socket, frameMax: number): void {
  socket.setNoDelay(true);
  const channels = new Map<number, ChannelState>();
  let pending: Buffer = Buffer.alloc(0);
  let greeted = false;

  const onMethod = (channel: number, classId: number, methodId: number, args: Buffer): void => {
    const key = classId * 1000 + methodId;
    switch (key) {
      case 10011: // connection.start-ok
        socket.write(tune(frameMax));
        break;
      case 10031: // connection.tune-ok
        break;
      case 10040: // connection.open
        socket.write(method(0, 10, 41, shortString('')));
        break;
      case 10050: // connection.close
        socket.write(method(0, 10, 51));
        socket.end();
        break;
      case 20010: // channel.open
        channels.set(channel, { published: 0, acked: 0, remaining: 0, confirming: false });
        socket.write(method(channel, 20, 11, Buffer.from([0, 0, 0, 0])));
        break;
      case 20040: // channel.close
        channels.delete(channel);
        socket.write(method(channel, 20, 41));
        break;
      case 20041: // channel.close-ok
        break;
      case 85010: {
        // confirm.select (nowait is bit 0 of the only argument)
        const state = channels.get(channel);
        if (state) state.confirming = true;
        if ((args[0] ?? 0) === 0) socket.write(method(channel, 85, 11));
        break;
      }
      case 60010: // basic.qos
        socket.write(method(channel, 60, 11));
        break;
      case 40010: // exchange.declare
        socket.write(method(channel, 40, 11));
        break;
      case 50010: {
        // queue.declare: reserved short, then the queue name
        const length = args[2] ?? 0;
        const name = args.subarray(3, 3 + length).toString('utf8');
        const counts = Buffer.alloc(8);
        socket.write(method(channel, 50, 11, Buffer.concat([shortString(name), counts])));
        break;
      }
      case 60040: // basic.publish: the content follows
        break;
      default:
        break;
    }
  };

  const onContentDone = (state: ChannelState): void => {
    state.published++;
  };

  socket.on('data', (chunk: Buffer) => {
    let data: Buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    if (!greeted) {
      if (data.length < 8) {
        pending = data;
        return;
      }
      greeted = true;
      data = data.subarray(8);
      socket.write(connectionStart());
    }
    let offset = 0;
    while (data.length - offset >= 8) {
      const type = data.readUInt8(offset);
      const channel = data.readUInt16BE(offset + 1);
      const size = data.readUInt32BE(offset + 3);
      if (data.length - offset < size + 8) break;
      const payload = data.subarray(offset + 7, offset + 7 + size);
      offset += size + 8;
      if (type === METHOD) {
        const classId = payload.readUInt16BE(0);
        const methodId = payload.readUInt16BE(2);
        onMethod(channel, classId, methodId, payload.subarray(4));
      } else if (type === HEADER) {
        const state = channels.get(channel);
        if (!state) continue;
        state.remaining = Number(payload.readBigUInt64BE(4));
        if (state.remaining === 0) onContentDone(state);
      } else if (type === BODY) {
        const state = channels.get(channel);
        if (!state) continue;
        state.remaining -= size;
        if (state.remaining <= 0) onContentDone(state);
      }
      // Heartbeats (type 8) need no answer.
    }
    pending = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset));
    for (const [channel, state] of channels) {
      if (state.confirming && state.published > state.acked) {
        socket.write(ack(channel, state.published, true));
        state.acked = state.published;
      }
    }
  });
  socket.on('error', () => undefined);
}

/** A running fake broker: its port, and how to stop it. */
export interface FakeBroker {
  port: number;
  close(): Promise<void>;
}

/** Starts a fake broker on a free port of 127.0.0.1. */
export async function startFakeBroker(frameMax = 131_072): Promise<FakeBroker> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, frameMax);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts the fake broker in a child process (its CPU must not count as the client's, nor share its event
 * loop) and resolves with its port.
 */
export async function spawnFakeBroker(): Promise<{ port: number; stop(): void }> {
  const { fork } = await import('node:child_process');
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)));
    child.once('exit', (code) => reject(new Error(`the fake broker exited with ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

if (process.argv.includes('--serve')) {
  const broker = await startFakeBroker();
  process.send?.(String(broker.port));
  process.on('disconnect', () => process.exit(0));
}
