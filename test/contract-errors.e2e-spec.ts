/**
 * What Fastify and Node answer on their own, before any route runs, is problem+json with
 * a stable code too, of the document's ProblemDetails schema: an unknown route, a bad
 * percent-encoding, an over-long path parameter, bodies that are not JSON or too large,
 * and a request Node's HTTP parser refuses. (A request while the service closes: fastify-errors.spec.ts.)
 */
import Ajv2020 from 'ajv/dist/2020';
import { connect } from 'node:net';
import { TEST_KEYS, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let validateProblem: (body: unknown) => boolean;

beforeAll(async () => {
  t = await startTestApp();
  const document = (await t.request({ method: 'GET', url: '/docs-json', role: null })).body as { components: { schemas: Record<string, object> } };
  const ajv = new Ajv2020({ strict: false });
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    ajv.addSchema({ ...JSON.parse(JSON.stringify(schema).replace(/#\/components\/schemas\//g, 'https://contract.test/')), $id: `https://contract.test/${name}` });
  }
  validateProblem = ajv.getSchema('https://contract.test/ProblemDetails')!;
});

afterAll(async () => {
  await t?.close();
});

const admin = { authorization: `Bearer ${TEST_KEYS.admin}` };

describe("Fastify's own refusals", () => {
  it.each([
    ['an unknown route', 'GET', '/v1/nothing-here', {}, undefined, 404, 'NOT_FOUND'],
    ['a method the route lacks', 'DELETE', '/v1/patients', {}, undefined, 404, 'NOT_FOUND'],
    ['a 300-character subject id: the route refuses it, naming subjectId', 'GET', `/v1/patients/${'S'.repeat(300)}`, {}, undefined, 400, 'VALIDATION_FAILED'],
    ['a 600-character subject id: longer than the router takes', 'GET', `/v1/patients/${'S'.repeat(600)}`, {}, undefined, 414, 'URI_TOO_LONG'],
    ['a malformed percent-encoding in the path', 'GET', '/v1/patients/%E0%A4%A', {}, undefined, 400, 'MALFORMED_URL'],
    ['JSON that does not parse', 'POST', '/v1/patients/SYN-ERR-1/events', { 'content-type': 'application/json' }, '{"a":', 400, 'MALFORMED_BODY'],
    ['an empty JSON body', 'POST', '/v1/patients/SYN-ERR-1/events', { 'content-type': 'application/json' }, '', 400, 'MALFORMED_BODY'],
    ['a __proto__ key', 'POST', '/v1/patients/SYN-ERR-1/events', { 'content-type': 'application/json' }, '{"__proto__":{"x":1}}', 400, 'MALFORMED_BODY'],
    ['a form body', 'POST', '/v1/patients/SYN-ERR-1/events', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the limit', 'POST', '/v1/patients/SYN-ERR-1/events', { 'content-type': 'application/json' }, JSON.stringify({ pad: 'x'.repeat(1_100_000) }), 413, 'PAYLOAD_TOO_LARGE'],
  ] as const)('given %s: a problem', async (_name, method, url, headers, payload, status, code) => {
    const response = await t.app.getHttpAdapter().getInstance().inject({ method, url, headers: { ...admin, ...headers }, payload });
    const body = JSON.parse(response.body) as { code: string; errors?: { path: string }[] };
    expect([response.statusCode, response.headers['content-type'], body.code]).toEqual([status, 'application/problem+json; charset=utf-8', code]);
    expect(validateProblem(body)).toBe(true);
    if (code === 'VALIDATION_FAILED') expect(body.errors?.map((e) => e.path)).toEqual(['subjectId']);
  });

  it.each([
    ['headers larger than Node takes', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a request line that is not HTTP', 'NOT HTTP AT ALL\r\n\r\n', 400, 'MALFORMED_REQUEST'],
  ])('given %s on a socket: a problem', async (_name, request, status, code) => {
    await t.app.listen(0, '127.0.0.1').catch(() => undefined);
    const address = t.app.getHttpServer().address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(address.port, '127.0.0.1', () => socket.write(request));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    const problem = JSON.parse(body) as { code: string; status: number };
    expect([problem.status, problem.code]).toEqual([status, code]);
    expect(validateProblem(problem)).toBe(true);
  });
});
