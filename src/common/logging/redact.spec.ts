import { Writable } from 'node:stream';
import { createRootLogger } from './logger';
import { REDACTED, redactUrl } from './redact';

describe('redactUrl', () => {
  it.each([
    ['/v1/patients?api_key=s3cr3t-synthetic', `/v1/patients?api_key=${REDACTED}`],
    ['/v1/patients?access_token=s3cr3t&limit=5', `/v1/patients?access_token=${REDACTED}&limit=5`],
    ['/v1/patients?limit=5&apiKey=s3cr3t&asOf=2026-01-01', `/v1/patients?limit=5&apiKey=${REDACTED}&asOf=2026-01-01`],
    ['/v1/patients?KEY=s3cr3t', `/v1/patients?KEY=${REDACTED}`],
    ['/v1/patients?x-auth=s3cr3t', `/v1/patients?x-auth=${REDACTED}`],
    ['/v1/patients?%61pi_key=s3cr3t', `/v1/patients?%61pi_key=${REDACTED}`],
    ['/v1/patients?password=s3cr3t#frag', `/v1/patients?password=${REDACTED}#frag`],
    ['/v1/patients?token=a&token=b', `/v1/patients?token=${REDACTED}&token=${REDACTED}`],
    ['/v1/patients?%E0%A4%A=1&sig=s3cr3t', `/v1/patients?%E0%A4%A=1&sig=${REDACTED}`],
  ])('hides the credential in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each(['/v1/patients', '/v1/patients?asOf=2026-01-01&phase=OFF_STUDY&limit=5&offset=10', '/v1/reports/survival?endpoint=OS&origin=TRANSPLANT', '/v1/patients?flag'])(
    'leaves %s as it is',
    (url) => {
      expect(redactUrl(url)).toBe(url);
    },
  );
});

describe('the root logger', () => {
  it('never writes credential headers, wherever headers are logged', () => {
    // Given a logger writing to memory
    let written = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((written += chunk.toString()), done()) });
    const logger = createRootLogger('info', sink);
    const headers = { authorization: 'Bearer s3cr3t-1', 'proxy-authorization': 'Basic s3cr3t-2', cookie: 's=s3cr3t-3', 'x-api-key': 's3cr3t-4', 'user-agent': 'synthetic-client' };

    // When requests, replies and bare headers are logged
    logger.info({ req: { headers } }, 'a');
    logger.info({ headers }, 'b');
    logger.info({ reply: { headers: { 'set-cookie': 's=s3cr3t-5' } } }, 'c');

    // Then no credential is written, and the other headers are
    expect(written).not.toMatch(/s3cr3t/);
    expect(written).toContain('synthetic-client');
    expect(written.match(/\[redacted\]/g)).toHaveLength(9);
  });
});
