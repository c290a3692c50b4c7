/**
 * Example calls of every operation in the OpenAPI document, keyed by `METHOD /path` as the
 * document names it. The contract test (test/contract-client.e2e-spec.ts) turns each
 * example into a call of the client generated from /docs-json, type-checks those calls,
 * runs them in this order against the service, and validates each answer against the
 * document. It fails for any operation of the document without examples here, and for any
 * documented status (other than 500 and 503) that no example provokes: a new route, or a
 * new status, needs its examples here. (401 without a key is tried on every guarded route
 * without being listed.)
 *
 * Synthetic data only: SYN-CONTRACT-* subjects made up for this test. The service's clock
 * stands at 2026-12-01.
 */
import { EVENT_EXAMPLES } from '../../../src/api/events/event-examples';
import type { EventType } from '../../../src/domain/events/clinical-event';
import type { Role } from '../../../src/common/config/app-config';

export interface RouteExample {
  /** What the call shows. */
  readonly name: string;
  /** Whose key is sent; null for none. */
  readonly role: Role | null;
  readonly params?: {
    readonly path?: Readonly<Record<string, string>>;
    readonly query?: Readonly<Record<string, string | number | boolean>>;
    readonly header?: Readonly<Record<string, string>>;
  };
  /** A JSON body the typed client sends (type-checked against the document). */
  readonly body?: unknown;
  /**
   * A body the typed client cannot express (not JSON, too large, on a route that takes
   * none): sent with fetch as it is, and its answer checked against the document all the same.
   */
  readonly rawBody?: { readonly contentType: string; readonly text: string };
  /**
   * `text` for answers that are not JSON (CSV exports); `stream` for an event stream, which
   * never ends: the test reads its first message, then closes the connection.
   */
  readonly parseAs?: 'text' | 'stream';
  readonly status: number;
}

export const CONTRACT_NOW = '2026-12-01T12:00:00.000Z';
const SUBJECT = 'SYN-CONTRACT-001';
const path = { subjectId: SUBJECT };

/** The synthetic journey of the OpenAPI examples, up to a relapse, as one batch. */
const JOURNEY: readonly EventType[] = [
  'PatientEnrolled',
  'ChemotherapyStarted',
  'GpbmcInfused',
  'ResponseAssessed',
  'ConditioningStarted',
  'StemCellsInfused',
  'EngraftmentRecorded',
  'AdverseEventReported',
  'AdverseEventUpdated',
  'FollowUpRecorded',
  'RelapseDiagnosed',
];
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const journey = JOURNEY.map((type, i) => ({ eventId: uuid(i + 1), type, ...EVENT_EXAMPLES[type], metadata: { source: 'SYN-EDC' } }));
const followUp = (n: number, occurredOn: string) => ({ eventId: uuid(n), type: 'FollowUpRecorded', occurredOn, data: {} });
/** A well-formed kept seal that this log does not match (made up): verification finds it altered and not matching. */
const FOREIGN_SEAL = {
  sequence: 1,
  position: 1,
  count: 1,
  merkleRoot: 'a'.repeat(64),
  frontier: ['a'.repeat(64)],
  previousSealDigest: null,
  sealedAt: '2026-11-01T00:00:00.000Z',
  digest: 'b'.repeat(64),
};
/** The live feed: read up to its first message, whatever the example expects, so a wrong 200 cannot hang the test. */
const feed = { parseAs: 'stream' } as const;

export const ROUTE_EXAMPLES: Readonly<Record<string, readonly RouteExample[]>> = {
  'GET /health': [{ name: 'the store answers', role: null, status: 200 }],

  'POST /v1/patients/{subjectId}/events': [
    { name: 'a journey appended as one batch', role: 'emitter', params: { path }, body: journey, status: 201 },
    { name: 'the same batch again: the original result', role: 'emitter', params: { path }, body: journey, status: 200 },
    { name: 'one event with the current revision', role: 'emitter', params: { path, header: { 'If-Match': '10' } }, body: followUp(100, '2026-11-20'), status: 201 },
    { name: 'a stale If-Match', role: 'emitter', params: { path, header: { 'If-Match': '3' } }, body: followUp(101, '2026-11-21'), status: 409 },
    {
      name: 'a second Day 0',
      role: 'emitter',
      params: { path },
      body: { eventId: uuid(102), type: 'StemCellsInfused', ...EVENT_EXAMPLES.StemCellsInfused, occurredOn: '2026-04-15' },
      status: 422,
    },
    { name: 'an impossible date', role: 'emitter', params: { path }, body: followUp(103, '2026-02-30'), status: 400 },
    { name: 'JSON that does not parse', role: 'emitter', params: { path }, rawBody: { contentType: 'application/json', text: '{"eventId": ' }, status: 400 },
    { name: 'a body over the limit', role: 'emitter', params: { path }, rawBody: { contentType: 'application/json', text: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }, status: 413 },
    { name: 'a text body', role: 'emitter', params: { path }, rawBody: { contentType: 'text/plain', text: 'PatientEnrolled' }, status: 415 },
    { name: 'a subject id far too long for any route', role: 'emitter', params: { path: { subjectId: 'S'.repeat(600) } }, body: followUp(104, '2026-11-22'), status: 414 },
    { name: 'a reporter key', role: 'reporter', params: { path }, body: followUp(105, '2026-11-22'), status: 403 },
  ],

  'GET /v1/patients/{subjectId}/events': [
    { name: 'the audit trail', role: 'auditor', params: { path }, status: 200 },
    { name: 'as recorded before an instant', role: 'auditor', params: { path, query: { recordedBefore: '2026-12-01T12:00:00Z' } }, status: 200 },
    { name: 'a malformed instant', role: 'auditor', params: { path, query: { recordedBefore: '2026-12-01 12:00' } }, status: 400 },
    { name: 'an unknown patient', role: 'auditor', params: { path: { subjectId: 'SYN-CONTRACT-404' } }, status: 404 },
    { name: 'a 300-character subject id (refused by its own rule, not by the router)', role: 'auditor', params: { path: { subjectId: 'S'.repeat(300) } }, status: 400 },
    { name: 'a subject id far too long', role: 'auditor', params: { path: { subjectId: 'S'.repeat(600) } }, status: 414 },
    { name: 'a reporter key', role: 'reporter', params: { path }, status: 403 },
  ],

  'GET /v1/patients': [
    { name: 'the first page', role: 'reporter', params: { query: { asOf: '2026-12-01', limit: 10 } }, status: 200 },
    { name: 'filtered and sorted', role: 'reporter', params: { query: { phase: 'LONG_TERM_FOLLOW_UP', relapsed: true, sort: 'day0', order: 'desc' } }, status: 200 },
    { name: 'a page too large', role: 'reporter', params: { query: { limit: 100_000 } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/queries': [
    { name: 'the open queries', role: 'reporter', params: { query: { asOf: '2026-12-01' } }, status: 200 },
    { name: 'by code and age, for an auditor', role: 'auditor', params: { query: { code: 'DAY100_NOT_OBSERVED', minAgeDays: 0, hasQueries: true, limit: 5 } }, status: 200 },
    { name: 'a negative age', role: 'reporter', params: { query: { minAgeDays: -1 } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/patients/{subjectId}': [
    { name: 'the record', role: 'reporter', params: { path, query: { asOf: '2026-12-01' } }, status: 200 },
    { name: 'a copy still current (If-None-Match: *)', role: 'reporter', params: { path, header: { 'If-None-Match': '*' } }, status: 304 },
    { name: 'as known before the first append', role: 'auditor', params: { path, query: { recordedBefore: '2026-01-01T00:00:00Z' } }, status: 404 },
    { name: 'before enrollment', role: 'reporter', params: { path, query: { asOf: '2026-01-01' } }, status: 404 },
    { name: 'an impossible date', role: 'reporter', params: { path, query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'a subject id far too long', role: 'reporter', params: { path: { subjectId: 'S'.repeat(600) } }, status: 414 },
    { name: 'an emitter key', role: 'emitter', params: { path }, status: 403 },
  ],

  'GET /v1/patients/{subjectId}/timeline': [
    { name: 'the timeline', role: 'reporter', params: { path }, status: 200 },
    { name: 'a copy still current (If-None-Match: *)', role: 'reporter', params: { path, header: { 'If-None-Match': '*' } }, status: 304 },
    { name: 'an unknown patient', role: 'reporter', params: { path: { subjectId: 'SYN-CONTRACT-404' } }, status: 404 },
    { name: 'an impossible date', role: 'reporter', params: { path, query: { asOf: '2026-13-01' } }, status: 400 },
    { name: 'a subject id far too long', role: 'reporter', params: { path: { subjectId: 'S'.repeat(600) } }, status: 414 },
    { name: 'an emitter key', role: 'emitter', params: { path }, status: 403 },
  ],

  'GET /v1/admin/projections': [
    { name: 'the read model state', role: 'admin', status: 200 },
    { name: 'a reporter key', role: 'reporter', status: 403 },
  ],

  'POST /v1/admin/projections/rebuild': [
    { name: 'a rebuild', role: 'admin', status: 200 },
    { name: 'a body that does not parse', role: 'admin', rawBody: { contentType: 'application/json', text: '{' }, status: 400 },
    { name: 'a body over the limit', role: 'admin', rawBody: { contentType: 'application/json', text: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }, status: 413 },
    { name: 'a text body', role: 'admin', rawBody: { contentType: 'text/plain', text: 'go' }, status: 415 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/reports/survival': [
    { name: 'overall survival from Day 0', role: 'reporter', params: { query: { endpoint: 'OS', asOf: '2026-12-01' } }, status: 200 },
    { name: 'GRFS from enrollment', role: 'reporter', params: { query: { endpoint: 'GRFS', origin: 'ENROLLMENT' } }, status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { endpoint: 'PFS', asOf: '2026-02-30' } }, status: 400 },
    { name: 'an auditor key', role: 'auditor', params: { query: { endpoint: 'OS' } }, status: 403 },
  ],

  'GET /v1/reports/swimmer': [
    { name: 'a page of swimmer rows', role: 'reporter', params: { query: { asOf: '2026-12-01', limit: 10 } }, status: 200 },
    { name: 'as recorded before an instant', role: 'reporter', params: { query: { recordedBefore: '2026-12-01T00:00:00Z' } }, status: 200 },
    { name: 'a page too large', role: 'reporter', params: { query: { limit: 100_000 } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/reports/swimmer.svg': [
    { name: 'the swimmer figure', role: 'reporter', params: { query: { asOf: '2026-12-01', axis: 'DAY0' } }, parseAs: 'text', status: 200 },
    { name: 'a page too large', role: 'reporter', params: { query: { limit: 100_000 } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/reports/survival.svg': [
    { name: 'the OS figure', role: 'reporter', params: { query: { endpoint: 'OS', asOf: '2026-12-01' } }, parseAs: 'text', status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { endpoint: 'OS', asOf: '2026-02-30' } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', params: { query: { endpoint: 'OS' } }, status: 403 },
  ],

  'GET /v1/reports/cumulative-incidence.svg': [
    { name: 'the relapse and NRM figure', role: 'reporter', params: { query: { asOf: '2026-12-01' } }, parseAs: 'text', status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', status: 403 },
  ],

  'GET /v1/reports/as-recorded/survival': [
    { name: 'OS as recorded', role: 'reporter', params: { query: { endpoint: 'OS', recordedBefore: '2026-12-01T00:00:00Z' } }, status: 200 },
    { name: 'an impossible instant', role: 'reporter', params: { query: { endpoint: 'OS', recordedBefore: '2026-02-30T00:00:00Z' } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', params: { query: { endpoint: 'OS', recordedBefore: '2026-12-01T00:00:00Z' } }, status: 403 },
  ],

  'GET /v1/reports/as-recorded/cumulative-incidence': [
    { name: 'relapse and NRM as recorded', role: 'reporter', params: { query: { recordedBefore: '2026-12-01T00:00:00Z' } }, status: 200 },
    { name: 'an impossible instant', role: 'reporter', params: { query: { recordedBefore: '2026-02-30T00:00:00Z' } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', params: { query: { recordedBefore: '2026-12-01T00:00:00Z' } }, status: 403 },
  ],

  'GET /v1/reports/as-recorded/adverse-events': [
    { name: 'AE tables as recorded', role: 'reporter', params: { query: { recordedBefore: '2026-12-01T00:00:00Z' } }, status: 200 },
    { name: 'an impossible instant', role: 'reporter', params: { query: { recordedBefore: '2026-02-30T00:00:00Z' } }, status: 400 },
    { name: 'an emitter key', role: 'emitter', params: { query: { recordedBefore: '2026-12-01T00:00:00Z' } }, status: 403 },
  ],

  'GET /v1/reports/cumulative-incidence': [
    { name: 'relapse and NRM', role: 'reporter', params: { query: { asOf: '2026-12-01' } }, status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'an auditor key', role: 'auditor', status: 403 },
  ],

  'GET /v1/reports/adverse-events': [
    { name: 'the AE tables', role: 'reporter', params: { query: { asOf: '2026-12-01', diagnosis: 'AML' } }, status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'an auditor key', role: 'auditor', status: 403 },
  ],

  'GET /v1/reports/exports/adtte': [
    { name: 'CSV', role: 'reporter', params: { query: { asOf: '2026-12-01' } }, parseAs: 'text', status: 200 },
    { name: 'JSON', role: 'reporter', params: { query: { format: 'json', origin: 'ENROLLMENT' } }, status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'an auditor key', role: 'auditor', status: 403 },
  ],

  'GET /v1/reports/exports/ae': [
    { name: 'CSV', role: 'reporter', parseAs: 'text', status: 200 },
    { name: 'JSON', role: 'reporter', params: { query: { format: 'json' } }, status: 200 },
    { name: 'an impossible date', role: 'reporter', params: { query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'an auditor key', role: 'auditor', status: 403 },
  ],

  'GET /v1/audit/seals': [
    { name: 'the first page of seals', role: 'auditor', status: 200 },
    { name: 'from a sequence, a page of 10', role: 'auditor', params: { query: { fromSequence: 1, limit: 10 } }, status: 200 },
    { name: 'a negative page size', role: 'auditor', params: { query: { limit: -1 } }, status: 400 },
    { name: 'a reporter key', role: 'reporter', status: 403 },
  ],

  'GET /v1/audit/verify': [
    { name: 'the whole log verified', role: 'auditor', status: 200 },
    { name: 'against a kept seal the log does not match (a finding, not an error)', role: 'auditor', params: { query: { count: 1, merkleRoot: 'a'.repeat(64) } }, status: 200 },
    { name: 'a negative count', role: 'auditor', params: { query: { count: -1, merkleRoot: 'a'.repeat(64) } }, status: 400 },
    { name: 'a count without its merkleRoot', role: 'auditor', params: { query: { count: 1 } }, status: 400 },
    { name: 'a reporter key', role: 'reporter', status: 403 },
  ],

  'POST /v1/audit/verify': [
    { name: 'against a kept seal the log does not match (a finding, not an error)', role: 'auditor', body: { seals: [FOREIGN_SEAL] }, status: 200 },
    { name: 'no kept seals: the log and its own seals only', role: 'auditor', body: { seals: [] }, status: 200 },
    { name: 'a kept seal with a negative count', role: 'auditor', body: { seals: [{ ...FOREIGN_SEAL, count: -1 }] }, status: 400 },
    { name: 'JSON that does not parse', role: 'auditor', rawBody: { contentType: 'application/json', text: '{"seals": [' }, status: 400 },
    { name: 'a body over the limit', role: 'auditor', rawBody: { contentType: 'application/json', text: JSON.stringify({ pad: 'x'.repeat(1_100_000) }) }, status: 413 },
    { name: 'a text body', role: 'auditor', rawBody: { contentType: 'text/plain', text: 'verify' }, status: 415 },
    { name: 'a reporter key', role: 'reporter', body: { seals: [] }, status: 403 },
  ],

  'GET /v1/audit/subjects': [
    { name: 'the first page of patient streams', role: 'auditor', status: 200 },
    { name: 'one stream after a subject id', role: 'auditor', params: { query: { after: 'SYN-CONTRACT-000', limit: 1 } }, status: 200 },
    { name: 'a negative page size', role: 'auditor', params: { query: { limit: -1 } }, status: 400 },
    { name: 'a reporter key', role: 'reporter', status: 403 },
  ],

  'GET /v1/patients/{subjectId}/audit': [
    { name: 'the change trail', role: 'auditor', params: { path, query: { asOf: '2026-12-01' } }, status: 200 },
    { name: 'an unknown patient', role: 'auditor', params: { path: { subjectId: 'SYN-CONTRACT-404' } }, status: 404 },
    { name: 'an impossible date', role: 'auditor', params: { path, query: { asOf: '2026-02-30' } }, status: 400 },
    { name: 'a 300-character subject id (refused by its own rule, not by the router)', role: 'auditor', params: { path: { subjectId: 'S'.repeat(300) } }, status: 400 },
    { name: 'a subject id far too long', role: 'auditor', params: { path: { subjectId: 'S'.repeat(600) } }, status: 414 },
    { name: 'a reporter key', role: 'reporter', params: { path }, status: 403 },
  ],

  'GET /v1/feed': [
    { name: 'the live feed', role: 'auditor', ...feed, status: 200 },
    { name: 'with record changes, for a reporter', role: 'reporter', params: { query: { include: 'records' } }, ...feed, status: 200 },
    { name: 'a Last-Event-ID that is no log position', role: 'auditor', params: { header: { 'Last-Event-ID': '-1' } }, ...feed, status: 400 },
    { name: 'an emitter key', role: 'emitter', ...feed, status: 403 },
  ],
};
