import { Socket, connect } from 'node:net';
import { adminKey, harness, request } from './support';

/** Clients that send slowly, or not at all, and hold connections: each is bounded by a setting. */
const h = harness({
  worker: false,
  gatewayEnv: {
    HTTP_REQUEST_TIMEOUT_MS: '1500',
    HTTP_HEADERS_TIMEOUT_MS: '1000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    HTTP_MAX_CONNECTIONS: '30',
  },
});

interface Ended {
  /** Everything the server sent before it closed the connection. */
  received: string;
  /** Milliseconds from the first byte sent to the close. */
  closedAfterMs: number;
}

/** Opens a socket, writes `first`, then goes silent; resolves when the server closes it (or after `ms`). */
function silentClient(first: string, ms = 10_000): Promise<Ended> {
  const { port } = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = '';
    const started = Date.now();
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the server held a silent connection for ${ms} ms; it had sent ${JSON.stringify(received)}`,
        ),
      );
    }, ms);
    socket.on('connect', () => socket.write(first));
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined); // a reset after the 408 is a close too
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
  });
}

const host = () => `Host: ${new URL(h.gateway.url).host}\r\n`;
/** The key goes with the headers: a request without one is answered 401 before its body is read. */
const auth = () => `Authorization: Bearer ${adminKey()}\r\n`;

describe('slow clients', () => {
  it('answers 408 to a body that stops arriving, and closes the connection', async () => {
    const ended = await silentClient(
      `POST /tasks HTTP/1.1\r\n${host()}${auth()}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":"d`,
    );
    expect(ended.received).toMatch(/^HTTP\/1\.1 408 /);
    // HTTP_REQUEST_TIMEOUT_MS 1.5 s, checked every second
    expect(ended.closedAfterMs).toBeLessThan(4000);
  });

  it('answers 408 to a chunked body that stalls', async () => {
    const ended = await silentClient(
      `POST /tasks HTTP/1.1\r\n${host()}${auth()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"typ\r\n`,
    );
    expect(ended.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(ended.closedAfterMs).toBeLessThan(4000);
  });

  it('closes a connection whose headers never end', async () => {
    const ended = await silentClient(`GET /health HTTP/1.1\r\n${host()}X-Slow: `);
    expect(ended.received).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(ended.closedAfterMs).toBeLessThan(3500);
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const ended = await silentClient(`GET /health HTTP/1.1\r\n${host()}Connection: keep-alive\r\n\r\n`);
    expect(ended.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(ended.closedAfterMs).toBeLessThan(3000);
  });

  it('serves at most HTTP_MAX_CONNECTIONS at once: one more is closed at once, and service resumes after', async () => {
    const { port } = new URL(h.gateway.url);
    const open = async () => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((ok) => socket.once('connect', ok));
      return socket;
    };
    const held = await Promise.all(Array.from({ length: 30 }, open));
    try {
      const extra = await open();
      const closed = await new Promise<number>((ok, fail) => {
        const t = Date.now();
        const giveUp = setTimeout(
          () => fail(new Error('the connection over the cap was served, not closed')),
          3000,
        );
        extra.once('close', () => {
          clearTimeout(giveUp);
          ok(Date.now() - t);
        });
        extra.write(`GET /health HTTP/1.1\r\n${host()}\r\n`);
      });
      expect(closed).toBeLessThan(500);
    } finally {
      held.forEach((s) => s.destroy());
    }
    // The held sockets are gone: the next request is served.
    const deadline = Date.now() + 5000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = await request(h.gateway.url, 'GET', '/health').then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
  });
});
