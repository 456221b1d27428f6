import net from 'node:net';

/**
 * Whether something accepts TCP connections at host:port within a second: a benchmark skips (or, under CI, fails)
 * with one line when its broker is not there. Never prints a URL: it may hold a password.
 */
export function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
