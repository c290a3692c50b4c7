/**
 * Credentials never reach the request log, and a request without a key is told the scheme
 * to use (RFC 6750). Keys here are synthetic.
 */
import { Writable } from 'node:stream';
import { createRootLogger } from '../src/common/logging/logger';
import { startTestApp, TEST_KEYS, type TestApp } from './support/test-app';

let t: TestApp;
let written = '';
beforeAll(async () => {
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((written += chunk.toString()), done()) });
  t = await startTestApp({ logger: createRootLogger('info', sink) });
});
afterAll(() => t.close());
beforeEach(() => (written = ''));

const requestLines = () =>
  written
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as { url: string; status: number });

describe('a key sent in the query string', () => {
  it.each(['api_key', 'access_token', 'apikey', 'key', 'token'])('?%s=... is 401 with WWW-Authenticate: Bearer, and the log shows no key', async (name) => {
    // When a reporter sends its key in the URL instead of the Authorization header
    const response = await t.request({ method: 'GET', url: `/v1/patients?limit=5&${name}=${TEST_KEYS.reporter}`, role: null });

    // Then it is refused, told where a key goes, and the key is in no log line
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="treatment-timeline", error="invalid_request"');
    expect(response.body.detail).toContain(name);
    expect(response.body.detail).toContain('Authorization: Bearer');
    expect(JSON.stringify(response.body)).not.toContain(TEST_KEYS.reporter);
    expect(written).not.toContain(TEST_KEYS.reporter);
    expect(requestLines()).toEqual([expect.objectContaining({ url: `/v1/patients?limit=5&${name}=[redacted]`, status: 401 })]);
  });

  it('is not logged either when the header also carries a key (the request is served)', async () => {
    const response = await t.request({ method: 'GET', url: `/v1/patients?access_token=${TEST_KEYS.admin}`, role: 'reporter' });

    expect(written).not.toContain(TEST_KEYS.admin);
    expect(written).not.toContain(TEST_KEYS.reporter);
    expect(requestLines()).toEqual([expect.objectContaining({ url: '/v1/patients?access_token=[redacted]', status: response.status })]);
  });
});

describe('401 answers', () => {
  it.each([
    ['no key', {}, 'Bearer realm="treatment-timeline"'],
    ['an unknown key', { authorization: 'Bearer synthetic-unknown-key-000' }, 'Bearer realm="treatment-timeline", error="invalid_token"'],
    ['another scheme', { authorization: `Basic ${TEST_KEYS.reporter}` }, 'Bearer realm="treatment-timeline"'],
  ])('with %s carry WWW-Authenticate: Bearer', async (_what, headers, challenge) => {
    const response = await t.request({ method: 'GET', url: '/v1/patients', role: null, headers });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(challenge);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(written).not.toContain(TEST_KEYS.reporter);
  });
});
