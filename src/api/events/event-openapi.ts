import type { ApiBodyOptions } from '@nestjs/swagger';
type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;
import { getSchemaPath } from '@nestjs/swagger';
import { EVENT_TYPES, isCorrectionType, type EventType } from '../../domain/events/clinical-event';
import { EventMetadataDto } from './dto/event-data.dto';
import { EVENT_EXAMPLES } from './event-examples';
import { DATA_DTOS, MAX_BATCH } from './event-validation';

/** The DTO classes the body schema refers to; register them with @ApiExtraModels. */
export const EVENT_SCHEMA_MODELS = [...Object.values(DATA_DTOS), EventMetadataDto];

const EXAMPLE_ID = '8f0c3c8e-5d3a-4a52-9a51-0c4f3b1e2d10';

/** The envelope of one event type, its `data` a reference to that type's DTO schema. */
function envelope(type: EventType): SchemaObject {
  const correction = isCorrectionType(type);
  const example = EVENT_EXAMPLES[type];
  return {
    title: type,
    type: 'object',
    additionalProperties: false,
    required: correction ? ['eventId', 'type', 'data'] : ['eventId', 'type', 'occurredOn', 'data'],
    properties: {
      eventId: { type: 'string', format: 'uuid', description: 'Client-chosen id: the idempotency key' },
      type: { type: 'string', enum: [type] },
      ...(correction ? {} : { occurredOn: { type: 'string', format: 'date', description: 'The clinical date' } }),
      data: { $ref: getSchemaPath(DATA_DTOS[type]) },
      metadata: { $ref: getSchemaPath(EventMetadataDto) },
    },
    example: { eventId: EXAMPLE_ID, type, ...example, metadata: { source: 'EDC-site-01', correlationId: 'visit-42' } },
  };
}

/** One event, or an array of events appended atomically. */
export function eventBodySchema(): SchemaObject {
  const one = EVENT_TYPES.map(envelope);
  return {
    oneOf: [...one, { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: { oneOf: one } }],
  };
}

/** Named examples for Swagger UI's example picker. */
export function eventBodyExamples(): Record<string, { summary: string; value: unknown }> {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [type, { summary: type, value: { eventId: EXAMPLE_ID, type, ...EVENT_EXAMPLES[type], metadata: { source: 'EDC-site-01' } } }]),
  );
}
