import type { ApiBodyOptions } from '@nestjs/swagger';

/** An OpenAPI schema object, as @nestjs/swagger types it. */
export type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;

/** The keys of T that may be absent (`?:`); every other key is listed as required. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * The schema of an object whose fields are exactly those of the TypeScript type T: a field
 * added to T without a schema here, or a schema for a field T lacks, fails to compile, so
 * the document cannot drift from what the service sends. Fields that T marks optional are
 * listed in `optional` (also checked), all others are required. More fields are allowed
 * in an answer (`additionalProperties` is left open) so that adding one is not a breaking
 * change for generated clients.
 */
export function objectOf<T>() {
  return <O extends readonly OptionalKeys<T>[] = []>(
    properties: { readonly [K in keyof Required<T>]: SchemaObject },
    options: { optional?: O; description?: string } = {},
  ): SchemaObject => {
    const optional = new Set<string>((options.optional ?? []) as readonly string[]);
    return {
      type: 'object',
      ...(options.description ? { description: options.description } : {}),
      required: Object.keys(properties).filter((key) => !optional.has(key)),
      properties: properties as Record<string, SchemaObject>,
    };
  };
}

export const string = (description?: string): SchemaObject => ({ type: 'string', ...(description ? { description } : {}) });
export const integer = (description?: string): SchemaObject => ({ type: 'integer', ...(description ? { description } : {}) });
export const number = (description?: string): SchemaObject => ({ type: 'number', ...(description ? { description } : {}) });
export const boolean = (description?: string): SchemaObject => ({ type: 'boolean', ...(description ? { description } : {}) });
export const date = (description?: string): SchemaObject => ({ type: 'string', format: 'date', ...(description ? { description } : {}) });
export const instant = (description?: string): SchemaObject => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
export const oneOfValues = (values: readonly (string | number)[], description?: string): SchemaObject => ({
  type: typeof values[0] === 'number' ? 'integer' : 'string',
  enum: [...values],
  ...(description ? { description } : {}),
});
export const arrayOf = (items: SchemaObject, description?: string): SchemaObject => ({ type: 'array', items, ...(description ? { description } : {}) });
/** The document is OpenAPI 3.1, whose schemas are JSON Schema: null is a type of its own. */
export const nullable = (schema: SchemaObject): SchemaObject =>
  '$ref' in schema || schema.type === undefined
    ? { anyOf: [schema, { type: 'null' }] }
    : { ...schema, type: [...(Array.isArray(schema.type) ? schema.type : [schema.type]), 'null'], ...(schema.enum ? { enum: [...schema.enum, null] } : {}) };
export const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
export const anyObject = (description?: string): SchemaObject => ({ type: 'object', additionalProperties: true, ...(description ? { description } : {}) });
