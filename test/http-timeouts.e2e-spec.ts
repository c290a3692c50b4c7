/**
 * Slow clients over a real socket on 127.0.0.1, against the service listening with short
 * timeouts: a request trickling in is answered 408 and its connection closed; an idle
 * keep-alive connection is closed. Each test waits for the server's answer or its closing
 * of the connection, never for a length of time. Keys and data are synthetic.
 */
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestApp, TEST_KEYS, type TestApp } from './support/test-app';

// Without the timeouts none of these connections would ever close: fail in 10 s rather than 30.
jest.setTimeout(10_000);

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '400', HEADERS_TIMEOUT_MS: '300', KEEP_ALIVE_TIMEOUT_MS: '300' } });
  await t.app.listen(0, '127.0.0.1');
  port = (t.app.getHttpServer().address() as AddressInfo).port;
});
afterAll(() => t.close());
// A connection a failing test left open would hold the server's close.
const opened: Socket[] = [];
afterEach(() => opened.splice(0).forEach((socket) => socket.destroy()));

/** A raw connection: everything the server sent, and a promise of the server closing it. */
function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closed }));
    opened.push(socket);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.once('error', reject);
  });
}

/** Writes one character of `text` per tick of the client's own pace until the connection closes. */
function trickle(socket: Socket, text: string): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || socket.writableEnded || socket.closed) return clearInterval(timer);
    socket.write(text[i++ % text.length]);
  }, 50);
  return () => clearInterval(timer);
}

describe('timeouts at the HTTP edge', () => {
  it('answers 408 to a body sent a byte at a time, closes the connection, and stores nothing', async () => {
    // Given a client that sends complete headers announcing a body, then trickles it
    const { socket, received, closed } = await rawConnection();
    socket.write(
      'POST /v1/patients/SYN-SLOW-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${TEST_KEYS.emitter}\r\nContent-Length: 100000\r\n\r\n`,
    );
    const stop = trickle(socket, '{"eventId":"x"');

    // When the server gives up on it
    await closed;
    stop();

    // Then it said 408 and closed, and nothing was stored
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    expect((await t.request({ method: 'GET', url: '/v1/patients/SYN-SLOW-1/events', role: 'auditor' })).status).toBe(404);
  });

  it('answers 408 to headers sent a byte at a time and closes the connection', async () => {
    const { socket, received, closed } = await rawConnection();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const stop = trickle(socket, 'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');

    await closed;
    stop();

    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a keep-alive connection left idle after an answer', async () => {
    // Given a connection that got its answer and stays open
    const { socket, received, closed } = await rawConnection();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');

    // When the client sends nothing more, the server closes it
    await closed;

    // Having answered the one request
    expect(received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('still serves a request that arrives whole', async () => {
    const { socket, received, closed } = await rawConnection();
    const body = '{}';
    socket.write(
      'POST /v1/patients/SYN-SLOW-2/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n' +
        `Authorization: Bearer ${TEST_KEYS.emitter}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );

    await closed;

    expect(received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(received()).toContain('VALIDATION_FAILED');
  });
});
