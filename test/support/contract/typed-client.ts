/**
 * A typed client generated from the service's own OpenAPI document with openapi-typescript
 * (types) and openapi-fetch (calls), as a client team would make one; and a module of calls
 * written against it, type-checked by tsc before it runs.
 */
import openapiTS, { astToString } from 'openapi-typescript';
import type { Client } from 'openapi-fetch';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import type { RouteExample } from './route-examples';

/** One call as the generated module makes it: its key in the table, and the client's result. */
export interface TypedCall {
  readonly key: string;
  readonly run: () => Promise<{ data?: unknown; error?: unknown; response: Response }>;
}

/** Writes the document's types (`paths`) into a temporary folder; returns the folder. */
export async function generateTypes(document: object): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-client-'));
  writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(document as Parameters<typeof openapiTS>[0])));
  return dir;
}

/**
 * The calls of the examples as TypeScript source against `paths`: the path, the method,
 * the parameters and the body of each are checked by the compiler against the document
 * (a parameter or a body field the document does not declare fails to compile).
 */
export function callsModule(calls: readonly { key: string; method: string; path: string; example: RouteExample; authorization: string | null }[]): string {
  const lines = calls.map(({ key, method, path, example, authorization }) => {
    const init: string[] = [];
    // `satisfies` makes the compiler check the literals exactly (a parameter or field the
    // document lacks is an error), which openapi-fetch's wide init type alone does not.
    const operation = `paths[${JSON.stringify(path)}][${JSON.stringify(method.toLowerCase())}]`;
    if (example.params) init.push(`params: ${JSON.stringify(example.params)} satisfies ${operation}['parameters']`);
    if (example.body !== undefined) init.push(`body: ${JSON.stringify(example.body)} satisfies NonNullable<${operation}['requestBody']>['content']['application/json']`);
    if (authorization) init.push(`headers: { Authorization: ${JSON.stringify(authorization)} }`);
    if (example.parseAs) init.push(`parseAs: ${JSON.stringify(example.parseAs)}`);
    return `  { key: ${JSON.stringify(key)}, run: () => client.${method}(${JSON.stringify(path)}, { ${init.join(', ')} }) },`;
  });
  return [
    "import type { Client } from 'openapi-fetch';",
    "import type { paths } from './schema';",
    '',
    'export function calls(client: Client<paths>) {',
    '  return [',
    ...lines,
    '  ];',
    '}',
    '',
  ].join('\n');
}

/** Type-checks the calls module with the compiler's strict settings; returns the diagnostics, empty when it compiles. */
export function typeCheck(dir: string, source: string, projectRoot: string): string[] {
  const file = join(dir, 'calls.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    baseUrl: dir,
    // The folder is outside the project: the client's types are found where the project has them.
    paths: { 'openapi-fetch': [join(projectRoot, 'node_modules/openapi-fetch/dist/index.d.cts')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? `${d.file.fileName.replace(`${dir}/`, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Runs the type-checked module (its imports are types only, erased here) with a real client. */
export function loadCalls(source: string, client: Client<never>): TypedCall[] {
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} as { calls?: (c: unknown) => TypedCall[] } };
  new Function('module', 'exports', outputText)(module, module.exports);
  return module.exports.calls!(client);
}
