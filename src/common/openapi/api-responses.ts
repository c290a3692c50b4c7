import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem.filter';
import { ref, type SchemaObject } from './schema-builders';

/** What each error status means on this service; every one is answered as a ProblemDetails. */
const PROBLEM_STATUSES = {
  400: 'Malformed: invalid parameters, path or body (VALIDATION_FAILED naming every field, MALFORMED_BODY, MALFORMED_URL)',
  401: 'No API key, or an unknown one (UNAUTHENTICATED)',
  403: 'The key\'s role may not call this route (FORBIDDEN_ROLE)',
  404: 'No such patient (PATIENT_NOT_FOUND), or not enrolled as of the date asked (NOT_ENROLLED_AS_OF)',
  409: 'Conflict: a stale If-Match (REVISION_CONFLICT, with currentRevision), an event id reused with other content (EVENT_ID_REUSED, EVENT_ID_CONFLICT), a batch partly stored (BATCH_PARTLY_STORED)',
  413: 'The body is larger than BODY_LIMIT_BYTES (PAYLOAD_TOO_LARGE)',
  414: 'A path parameter far longer than any route takes (URI_TOO_LONG)',
  415: 'A body that is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'A clinical rule broken (CLINICAL_RULE_BROKEN, with every rule and eligibility criterion)',
  500: 'An unexpected error (INTERNAL); it has been logged',
  503: 'The event store is not reachable (STORE_UNAVAILABLE), or the service is shutting down (SERVICE_CLOSING); retry later',
} as const;
export type ProblemStatus = keyof typeof PROBLEM_STATUSES;

/** Error statuses answered as application/problem+json, with the shared ProblemDetails schema. */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: PROBLEM_STATUSES[status], content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('ProblemDetails') } } }),
    ),
  );
}

/** A JSON answer of a named schema (see response-schemas.ts). */
export function ApiJson(status: number, schema: string | SchemaObject, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema } } });
}

/** Statuses every route guarded by an API key can answer, besides its own. */
export const ApiKeyProblems = () => ApiProblems(401, 403, 500, 503);
