/**
 * The OpenAPI document is the contract: a client generated from /docs-json with
 * openapi-typescript and openapi-fetch calls every operation of it against the running
 * service (a real socket on 127.0.0.1), each answer is checked against the status and
 * schema the document gives for it, and every operation and every documented status
 * must be exercised by the examples of test/support/contract/route-examples.ts.
 * An event stream (the live feed) is read up to its first message, then closed.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import createClient, { type Client } from 'openapi-fetch';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_KEYS, startTestApp, type TestApp } from './support/test-app';
import { CONTRACT_NOW, ROUTE_EXAMPLES, type RouteExample } from './support/contract/route-examples';
import { callsModule, generateTypes, loadCalls, typeCheck } from './support/contract/typed-client';

interface Operation {
  readonly security?: unknown[];
  readonly responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
interface Document {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: object;
}
interface Answer {
  readonly key: string;
  readonly example: RouteExample;
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** Statuses no example is asked to provoke: an unexpected error, an unreachable store or a closing service. */
const NOT_PROVOKED = new Set(['500', '503']);

let t: TestApp;
let baseUrl: string;
let document: Document;
let typesDir: string;
const answers: Answer[] = [];

beforeAll(async () => {
  t = await startTestApp({ now: CONTRACT_NOW });
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  document = (await (await fetch(`${baseUrl}/docs-json`)).json()) as Document;
  typesDir = await generateTypes(document);
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (typesDir) rmSync(typesDir, { recursive: true, force: true });
});

/** Every operation of the document, as `METHOD /path`. */
function operations(): { key: string; method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, operation })),
  );
}

/** The examples of the table, plus a call without a key for every operation guarded by one. */
function examplesOf(key: string, operation: Operation): RouteExample[] {
  const listed = ROUTE_EXAMPLES[key] ?? [];
  if (!operation.security?.length) return [...listed];
  const keyed = listed.find((e) => e.role !== null && e.status < 300) ?? listed[0];
  return [...listed, { ...keyed, name: 'no API key', role: null, status: 401 }];
}

const authorization = (example: RouteExample) => (example.role ? `Bearer ${TEST_KEYS[example.role]}` : null);

describe('the OpenAPI document as a contract', () => {
  it('gives every operation an example call (add new routes to test/support/contract/route-examples.ts)', () => {
    const missing = operations().filter(({ key }) => !ROUTE_EXAMPLES[key]?.length).map(({ key }) => key);
    const stale = Object.keys(ROUTE_EXAMPLES).filter((key) => !operations().some((o) => o.key === key));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it('gives every answer of every operation a schema, and every error the shared ProblemDetails', () => {
    const faults: string[] = [];
    for (const { key, operation } of operations()) {
      if (!operation.responses['200'] && !operation.responses['201']) faults.push(`${key}: no success answer`);
      if (operation.security?.length && !(operation.responses['401'] && operation.responses['403'])) faults.push(`${key}: guarded, but 401/403 not documented`);
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = Object.entries(response.content ?? {});
        // A 304 has no body by definition (RFC 9110): its headers are the answer.
        if (content.length === 0 && status !== '304') faults.push(`${key} ${status}: no content schema`);
        const problem = response.content?.['application/problem+json']?.schema as { $ref?: string } | undefined;
        if (Number(status) >= 400 && problem?.$ref !== '#/components/schemas/ProblemDetails') faults.push(`${key} ${status}: no application/problem+json ProblemDetails`);
      }
    }
    expect(faults).toEqual([]);
  });

  it('names the API key scheme as a bearer token, without calling it a JWT', () => {
    const schemes = (document.components as { securitySchemes: Record<string, Record<string, unknown>> }).securitySchemes;
    expect(schemes).toEqual({ bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(schemes.bearer).not.toHaveProperty('bearerFormat');
  });

  it('type-checks a call of every example against the client generated from the document, runs them, and each answer is documented', async () => {
    const planned = operations().flatMap(({ key, method, path, operation }) =>
      examplesOf(key, operation).map((example, i) => ({ key: `${key} #${i} ${example.name}`, operationKey: key, method, path, example, authorization: authorization(example) })),
    );
    // Table order, so the POST examples have stored the patient before it is read.
    const order = Object.keys(ROUTE_EXAMPLES);
    planned.sort((a, b) => order.indexOf(a.operationKey) - order.indexOf(b.operationKey));

    const typed = planned.filter((p) => p.example.rawBody === undefined);
    const source = callsModule(typed);
    expect(typeCheck(typesDir, source, join(__dirname, '..'))).toEqual([]);
    const client = createClient({ baseUrl }) as unknown as Client<never>;
    const calls = new Map(loadCalls(source, client).map((c) => [c.key, c]));

    for (const p of planned) {
      if (p.example.rawBody) {
        const url = baseUrl + p.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(p.example.params?.path?.[name] ?? ''));
        const response = await fetch(url, {
          method: p.method,
          headers: { 'content-type': p.example.rawBody.contentType, ...(p.authorization ? { authorization: p.authorization } : {}) },
          body: p.example.rawBody.text,
        });
        const text = await response.text();
        answers.push({ key: p.key, example: p.example, status: response.status, contentType: mediaType(response), body: parse(text) });
      } else {
        const { data, error, response } = await calls.get(p.key)!.run();
        const body = data instanceof ReadableStream ? await firstMessage(data) : (data ?? error);
        answers.push({ key: p.key, example: p.example, status: response.status, contentType: mediaType(response), body });
      }
    }

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const [name, schema] of Object.entries((document.components as { schemas: Record<string, object> }).schemas)) {
      ajv.addSchema({ ...withAbsoluteRefs(schema), $id: `${SCHEMA_BASE}${name}` });
    }
    const faults: string[] = [];
    for (const answer of answers) {
      const [operationKey] = answer.key.split(' #');
      const operation = operations().find((o) => o.key === operationKey)!.operation;
      if (answer.status !== answer.example.status) faults.push(`${answer.key}: answered ${answer.status}, expected ${answer.example.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      const documented = operation.responses[String(answer.status)];
      // A documented 304 carries no body to check.
      if (answer.status === 304 && documented) continue;
      const schema = documented?.content?.[answer.contentType]?.schema;
      if (!schema) {
        faults.push(`${answer.key}: ${answer.status} ${answer.contentType} is not in the document`);
        continue;
      }
      const validate = ajv.compile(withAbsoluteRefs(schema));
      if (!validate(answer.body)) faults.push(`${answer.key}: the answer does not fit its schema: ${ajv.errorsText(validate.errors)}`);
    }
    expect(faults).toEqual([]);
  }, 120_000);

  it('provokes every documented status of every operation but 500 and 503 (add an example for a new one)', () => {
    const unexercised = operations().flatMap(({ key, operation }) =>
      Object.keys(operation.responses)
        .filter((status) => !NOT_PROVOKED.has(status))
        .filter((status) => !answers.some((a) => a.key.startsWith(`${key} #`) && String(a.status) === status))
        .map((status) => `${key} ${status}`),
    );
    expect(answers.length).toBeGreaterThan(0);
    expect(unexercised).toEqual([]);
  });
});

function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0].trim();
}

/**
 * The first message of an event stream (up to its blank line), then the connection is
 * closed: a live feed never ends on its own. Bounded, as the service writes its opening
 * comment as soon as it has answered.
 */
async function firstMessage(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Each component schema is registered with ajv under this base and its name. */
const SCHEMA_BASE = 'https://contract.test/schemas/';

/** `#/components/schemas/X` in the document becomes the id X is registered under. */
function withAbsoluteRefs<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\/components\/schemas\//g, `"$ref":"${SCHEMA_BASE}`)) as T;
}
