import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import type { Caller } from '../../common/auth/api-keys';
import { canonicalJson } from '../../common/canonical-json';
import { KeyedSerializer, QueueFullError } from '../../common/concurrency/keyed-serializer';
import { CLOCK, type Clock } from '../../common/clock/clock';
import { ProblemError } from '../../common/problem/problem';
import { utcDateOf } from '../../domain/calendar/clinical-date';
import type { ClinicalEvent, ClinicalFactType, RecordedEvent } from '../../domain/events/clinical-event';
import { decide, deviationsAddedBy } from '../../domain/decide/decide';
import { decideOnBasis } from '../../domain/decide/decision-basis';
import type { Deviation } from '../../domain/rules/deviations';
import { WrongExpectedRevisionError } from '../../event-store/event-store.errors';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../../event-store/event-store.port';
import {
  CURRENT_SCHEMA_VERSION,
  patientStreamId,
  toRecordedEvent,
  type StoredMetadata,
} from '../../event-store/patient-stream';
import { chainDigests } from '../../event-store/stream-digest';
import { missingEnteredBy, validateCorrectionData, validateEventBatch, type BatchValidation, type FieldError } from './event-validation';
import { StreamStateCache } from './stream-state.cache';

export interface AppendedEvent {
  readonly eventId: string;
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
}

/** An event of the audit view: as stored, with the digest of the stream up to it. */
export type AuditedEvent = RecordedEvent & { readonly chainDigest: string };

export interface AppendOutcome {
  /** 201 for a new append, 200 for an exact repeat of events already stored. */
  readonly status: 201 | 200;
  readonly body: { subjectId: string; events: AppendedEvent[]; deviations: readonly Deviation[] };
}

/**
 * How often a writer without If-Match decides again after losing a race. Appends of this
 * process to one stream are serialised, so only another process's writes can win one.
 */
const MAX_ATTEMPTS = 8;
/**
 * Appends one stream may have waiting in this process; one more is 503 with Retry-After.
 * Each holds its validated body (at most BODY_LIMIT_BYTES), so this bounds the memory one
 * busy patient can take.
 */
export const MAX_QUEUED_APPENDS_PER_STREAM = 256;

/**
 * The append path: load the stream, decide, append with the loaded revision as the
 * expected revision. Losing a race to another writer means deciding again over the
 * new history, never appending over it, so two writers cannot together break a rule.
 *
 * Appends to one stream run one after another in this process (a queue per stream, held
 * only while the stream has appends waiting), so writers without If-Match never fail for
 * each other's sake: each decides against the stream as the one before left it.
 */
@Injectable()
export class PatientEventsService {
  private readonly queue = new KeyedSerializer(MAX_QUEUED_APPENDS_PER_STREAM);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly streams: StreamStateCache,
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'requireEnteredBy'>,
  ) {}

  async append(subjectId: string, body: unknown, ifMatch: number | null, caller: Caller): Promise<AppendOutcome> {
    const validated = validateEventBatch(body);
    if (!validated.ok) throw validationProblem(validated.errors);
    if (this.config?.requireEnteredBy) {
      const missing = missingEnteredBy(validated.events, validated.batch);
      if (missing.length > 0) throw new ProblemError(422, 'ENTERED_BY_REQUIRED', 'This service requires metadata.enteredBy on every event; nothing was stored.', missing.map((e) => ({ ...e })));
    }
    const streamId = patientStreamId(subjectId);
    try {
      return await this.queue.run(streamId, () => this.decideAndAppend(subjectId, streamId, validated, ifMatch, caller));
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new ProblemError(
          503,
          'STREAM_BUSY',
          `${MAX_QUEUED_APPENDS_PER_STREAM} appends to patient ${subjectId} are already waiting; nothing was stored, retry later.`,
          undefined,
          {},
          { 'retry-after': '1' },
        );
      }
      throw error;
    }
  }

  private async decideAndAppend(
    subjectId: string,
    streamId: string,
    validated: Extract<BatchValidation, { ok: true }>,
    ifMatch: number | null,
    caller: Caller,
  ): Promise<AppendOutcome> {
    const incoming = validated.events;
    for (let attempt = 1; ; attempt++) {
      // The stream state from memory when held (stream-state.cache.ts). The store's expected-revision
      // check guards the append; an answer other than 201 is confirmed against the store first.
      const state = await this.streams.load(streamId);
      const current = state.revision;
      const stale = async (): Promise<boolean> => !state.confirmed && (await this.streams.refresh(streamId)).revision !== current;

      // An exact repeat is a retry of a request that was stored: it repeats the original
      // If-Match too, which the stream has moved past, so it answers before If-Match is checked.
      const repeat = findRepeat(state.eventById, incoming);
      if (repeat.kind === 'repeat') {
        // The original result: the deviations decided against the stream as it stood before the original.
        const deviations = deviationsAddedBy(state.history(), repeat.events.map((e) => e.eventId));
        return { status: 200, body: { subjectId, events: repeat.events, deviations } };
      }
      if (ifMatch !== null && ifMatch !== current) {
        if (await stale()) continue;
        throw new ProblemError(409, 'REVISION_CONFLICT', `If-Match names revision ${ifMatch}, but the stream is at ${current ?? 'none'}.`, undefined, {
          currentRevision: current,
        });
      }
      if (repeat.kind === 'conflict') {
        if (await stale()) continue;
        throw repeat.problem;
      }

      const correctionErrors = correctionDataErrors(state.eventById, incoming, validated.batch);
      if (correctionErrors.length > 0) {
        if (await stale()) continue;
        throw validationProblem(correctionErrors);
      }

      const today = utcDateOf(this.clock.now());
      const isStored = (eventId: string) => state.eventById(eventId) !== undefined;
      const decision = decideOnBasis(state.basis, incoming, today, isStored) ?? decide(state.history(), incoming, today);
      if (decision.kind === 'rejected') {
        if (await stale()) continue;
        throw new ProblemError(422, 'CLINICAL_RULE_BROKEN', 'The events break clinical rules; nothing was stored.', decision.violations.map((v) => ({
          ...v,
          path: validated.batch ? `[${v.eventIndex}]` : '',
          code: v.code,
          message: v.message,
        })));
      }

      const toAppend = decision.events.map((event) => ({
        eventId: event.eventId,
        type: event.type,
        occurredOn: 'occurredOn' in event ? event.occurredOn : null,
        data: event.data,
        metadata: { ...storedMetadata(event, caller) },
      }));
      try {
        const result = await this.store.append(streamId, toAppend, current ?? 'no_stream');
        this.streams.appended(state, toAppend, result);
        return { status: 201, body: { subjectId, events: [...result.events], deviations: decision.deviations } };
      } catch (error) {
        // Another instance wrote first, or the store failed mid-append: read the stream again next time.
        this.streams.drop(streamId);
        // Without If-Match: decide again over the new history. With If-Match: read once more,
        // as the writer that won may have been this request's own original (a retry racing it,
        // answered 200); otherwise the stream has moved past If-Match and the answer is 409.
        if (error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof WrongExpectedRevisionError) {
          throw new ProblemError(409, 'REVISION_CONFLICT', 'Another writer changed the stream first; read it and try again.', undefined, {
            currentRevision: error.actual,
          });
        }
        throw error;
      }
    }
  }

  /**
   * The stream as stored, each event with its chain digest (`stream-digest.ts`). Recording
   * time never goes back in a stream, so `recordedBefore` keeps a prefix, whose digests
   * are those of the whole stream.
   */
  async readEvents(subjectId: string, recordedBefore: string | null): Promise<AuditedEvent[]> {
    const stored = await this.store.readStream(patientStreamId(subjectId));
    if (stored.length === 0) throw unknownPatient(subjectId);
    const digests = chainDigests(stored);
    const visible = recordedBefore === null ? stored : stored.filter((e) => e.recordedAt < recordedBefore);
    return visible.map((event, i) => ({ ...toRecordedEvent(event), chainDigest: digests[i] }));
  }
}

type RepeatCheck =
  | { readonly kind: 'new' }
  | { readonly kind: 'repeat'; readonly events: AppendedEvent[] }
  | { readonly kind: 'conflict'; readonly problem: ProblemError };

/**
 * Idempotency by event id, checked here rather than left to a store's deduplication
 * window: a batch whose events are all stored with the same content is a repeat, answered
 * with the original result; an id reused with other content, or a batch only partly
 * stored, is a conflict (409, raised by the caller after If-Match is checked).
 */
function findRepeat(storedById: (eventId: string) => StoredEvent | undefined, incoming: readonly ClinicalEvent[]): RepeatCheck {
  const matches = incoming.map((event) => storedById(event.eventId));
  if (matches.every((m) => m === undefined)) return { kind: 'new' };
  const conflicts = incoming.filter((event, i) => matches[i] !== undefined && !sameContent(matches[i]!, event));
  if (conflicts.length > 0) {
    return { kind: 'conflict', problem: new ProblemError(409, 'EVENT_ID_REUSED', 'An event id is already stored with other content.', conflicts.map((e) => ({
      path: 'eventId',
      code: 'EVENT_ID_REUSED',
      message: `event ${e.eventId} is already stored with other content`,
      eventId: e.eventId,
    }))) };
  }
  if (matches.some((m) => m === undefined)) {
    return { kind: 'conflict', problem: new ProblemError(409, 'BATCH_PARTLY_STORED', 'Some events of this batch are already stored and some are not; send the new ones alone.') };
  }
  return { kind: 'repeat', events: matches.map((m) => ({ eventId: m!.eventId, revision: m!.revision, position: m!.position, recordedAt: m!.recordedAt })) };
}

function sameContent(stored: StoredEvent, event: ClinicalEvent): boolean {
  const { actor: _actor, schemaVersion: _version, ...clientMetadata } = stored.metadata as unknown as StoredMetadata;
  const incomingMetadata = (event as { metadata?: object }).metadata ?? {};
  return (
    stored.type === event.type &&
    stored.occurredOn === ('occurredOn' in event ? event.occurredOn : null) &&
    canonicalJson(stored.data) === canonicalJson(event.data) &&
    canonicalJson(clientMetadata) === canonicalJson(incomingMetadata)
  );
}

function storedMetadata(event: ClinicalEvent, caller: Caller): StoredMetadata {
  const client = (event as { metadata?: object }).metadata ?? {};
  return { ...client, actor: { keyId: caller.keyId, role: caller.role }, schemaVersion: CURRENT_SCHEMA_VERSION };
}

/** A correction's replacement data must be valid data of its target's type, known only from the stream. */
function correctionDataErrors(storedById: (eventId: string) => StoredEvent | undefined, incoming: readonly ClinicalEvent[], batch: boolean): FieldError[] {
  const types = new Map<string, string>();
  const errors: FieldError[] = [];
  incoming.forEach((event, i) => {
    if (event.type === 'EventCorrected' && event.data.data !== undefined) {
      const targetType = types.get(event.data.targetEventId) ?? storedById(event.data.targetEventId)?.type;
      if (targetType && targetType !== 'EventCorrected' && targetType !== 'EventVoided') {
        errors.push(...validateCorrectionData(targetType as ClinicalFactType, event.data.data, `${batch ? `[${i}].` : ''}data.data`));
      }
    }
    types.set(event.eventId, event.type);
  });
  return errors;
}

function validationProblem(errors: readonly FieldError[]): ProblemError {
  return new ProblemError(400, 'VALIDATION_FAILED', `The body has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}; nothing was stored.`, errors.map((e) => ({
    ...e,
    code: e.code ?? 'INVALID',
  })));
}

export function unknownPatient(subjectId: string): ProblemError {
  return new ProblemError(404, 'PATIENT_NOT_FOUND', `No patient with subject id ${subjectId}.`);
}
