import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { RESPONSE_SCHEMAS } from './response-schemas';

/**
 * The OpenAPI document at /docs-json and Swagger UI at /docs. OpenAPI 3.1, so the schemas
 * are JSON Schema (null is a type). The security scheme is a bearer API key: it is not a
 * JWT, so no `bearerFormat` (DocumentBuilder.addBearerAuth would say JWT).
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Treatment timeline')
    .setDescription(
      'Event-sourced treatment timelines for the NCT07297173 transplant trial: events in, derived records and cohort reports out. ' +
        'Every error is application/problem+json (RFC 9457) with a stable `code`, and `errors: [{ path, code, message }]` naming each failing field, parameter, criterion or rule.',
    )
    .setVersion('1')
    .addSecurity('bearer', {
      type: 'http',
      scheme: 'bearer',
      description: 'An API key of the role the route needs (emitter, auditor, reporter; admin may call every route), sent as `Authorization: Bearer <key>`.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...RESPONSE_SCHEMAS } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
