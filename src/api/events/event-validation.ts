/**
 * Validation at the edge: the shape of a POST body, before any clinical rule runs.
 * Every failing field is reported with its path and a stable code; nothing partial is
 * ever passed on. The clinical rules over the stream are `decide`'s job.
 */
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import {
  ACUTE_GVHD_GRADES,
  CHRONIC_GVHD_GRADES,
  EVENT_TYPES,
  isCorrectionType,
  type ClinicalEvent,
  type ClinicalFactType,
  type EventType,
} from '../../domain/events/clinical-event';
import { isClinicalDate } from '../../domain/calendar/clinical-date';
import {
  AdverseEventReportedDataDto,
  AdverseEventUpdatedDataDto,
  ChemotherapyStartedDataDto,
  ConditioningStartedDataDto,
  EngraftmentRecordedDataDto,
  EventCorrectedDataDto,
  EventMetadataDto,
  EventVoidedDataDto,
  FollowUpRecordedDataDto,
  GpbmcInfusedDataDto,
  HLA_MATCH,
  PatientDiedDataDto,
  PatientEnrolledDataDto,
  PatientWithdrawnDataDto,
  RelapseDiagnosedDataDto,
  ResponseAssessedDataDto,
  StemCellsInfusedDataDto,
} from './dto/event-data.dto';

export interface FieldError {
  /** Where in the body: `data.eligibility.altXUln`, or `[2].occurredOn` in a batch. */
  readonly path: string;
  /** Stable machine-readable reason (REQUIRED, UNKNOWN_FIELD, NOT_ALLOWED, INVALID_DATE...). */
  readonly code: string;
  readonly message: string;
}

export type BatchValidation =
  | { readonly ok: true; readonly events: ClinicalEvent[]; readonly batch: boolean }
  | { readonly ok: false; readonly errors: FieldError[] };

/** The DTO of each type's `data`: adding an event type without one fails to compile. */
export const DATA_DTOS: { readonly [T in EventType]: ClassConstructor<object> } = {
  PatientEnrolled: PatientEnrolledDataDto,
  ChemotherapyStarted: ChemotherapyStartedDataDto,
  GpbmcInfused: GpbmcInfusedDataDto,
  ResponseAssessed: ResponseAssessedDataDto,
  ConditioningStarted: ConditioningStartedDataDto,
  StemCellsInfused: StemCellsInfusedDataDto,
  EngraftmentRecorded: EngraftmentRecordedDataDto,
  AdverseEventReported: AdverseEventReportedDataDto,
  AdverseEventUpdated: AdverseEventUpdatedDataDto,
  RelapseDiagnosed: RelapseDiagnosedDataDto,
  FollowUpRecorded: FollowUpRecordedDataDto,
  PatientDied: PatientDiedDataDto,
  PatientWithdrawn: PatientWithdrawnDataDto,
  EventCorrected: EventCorrectedDataDto,
  EventVoided: EventVoidedDataDto,
};

/** The most events one atomic batch may carry. */
export const MAX_BATCH = 1000;
/** Deeper than any valid body (a corrected enrollment's exclusions in a batch is 6). */
const MAX_DEPTH = 10;
/** Keys that could reach an object's prototype in careless code downstream. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const ENVELOPE_KEYS = new Set(['eventId', 'type', 'occurredOn', 'data', 'metadata']);
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TYPES = new Set<string>(EVENT_TYPES);

/** Events without `metadata.enteredBy`, by their path in the body: refused (422) when the service requires it. */
export function missingEnteredBy(events: readonly ClinicalEvent[], batch: boolean): FieldError[] {
  return events.flatMap((event, i) =>
    (event as { metadata?: { enteredBy?: unknown } }).metadata?.enteredBy === undefined
      ? [{ path: `${batch ? `[${i}].` : ''}metadata.enteredBy`, code: 'ENTERED_BY_REQUIRED', message: 'metadata.enteredBy { userId, site? } is required by this service' }]
      : [],
  );
}

export function validateEventBatch(body: unknown): BatchValidation {
  const shape = shapeErrors(body);
  if (shape.length > 0) return { ok: false, errors: shape };
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (batch && items.length === 0) return { ok: false, errors: [{ path: '', code: 'EMPTY_BATCH', message: 'the batch must hold at least one event' }] };
  if (items.length > MAX_BATCH) {
    return { ok: false, errors: [{ path: '', code: 'BATCH_TOO_LARGE', message: `the batch holds ${items.length} events, at most ${MAX_BATCH} are allowed` }] };
  }
  const errors: FieldError[] = [];
  const events: ClinicalEvent[] = [];
  items.forEach((item, i) => {
    const prefix = batch ? `[${i}].` : '';
    const found = envelopeErrors(item, prefix);
    if (found.length > 0) errors.push(...found);
    else events.push(toEvent(item as Envelope));
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events, batch };
}

/** A correction's replacement `data`, checked as data of its target's type. */
export function validateCorrectionData(targetType: ClinicalFactType, data: unknown, path: string): FieldError[] {
  return dataErrors(targetType, data, `${path}.`);
}

interface Envelope {
  eventId: string;
  type: EventType;
  occurredOn?: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

function toEvent(envelope: Envelope): ClinicalEvent {
  const { eventId, type, occurredOn, data, metadata } = envelope;
  return {
    eventId,
    type,
    ...(occurredOn !== undefined ? { occurredOn } : {}),
    data,
    ...(metadata !== undefined ? { metadata } : {}),
  } as ClinicalEvent;
}

function envelopeErrors(item: unknown, prefix: string): FieldError[] {
  if (!isPlainObject(item)) return [{ path: prefix.replace(/\.$/, ''), code: 'WRONG_TYPE', message: 'the event must be a JSON object' }];
  const errors: FieldError[] = [];
  for (const key of Object.keys(item)) {
    if (!ENVELOPE_KEYS.has(key)) errors.push({ path: `${prefix}${key}`, code: 'UNKNOWN_FIELD', message: `${key} is not a known field` });
  }
  const { eventId, type, occurredOn, data, metadata } = item;
  if (eventId === undefined) errors.push({ path: `${prefix}eventId`, code: 'REQUIRED', message: 'eventId is required' });
  else if (typeof eventId !== 'string' || !UUID.test(eventId)) errors.push({ path: `${prefix}eventId`, code: 'BAD_FORMAT', message: 'eventId must be a UUID' });

  const knownType = typeof type === 'string' && TYPES.has(type) ? (type as EventType) : null;
  if (type === undefined) errors.push({ path: `${prefix}type`, code: 'REQUIRED', message: 'type is required' });
  else if (knownType === null) errors.push({ path: `${prefix}type`, code: 'UNKNOWN_EVENT_TYPE', message: `type must be one of ${EVENT_TYPES.join(', ')}` });

  if (knownType !== null && isCorrectionType(knownType)) {
    if (occurredOn !== undefined) {
      errors.push({ path: `${prefix}occurredOn`, code: 'NOT_ALLOWED', message: `${knownType} carries no occurredOn: a corrected date goes in data.occurredOn` });
    }
  } else if (knownType !== null) {
    if (occurredOn === undefined) errors.push({ path: `${prefix}occurredOn`, code: 'REQUIRED', message: 'occurredOn is required' });
    else if (!isClinicalDate(occurredOn)) errors.push({ path: `${prefix}occurredOn`, code: 'INVALID_DATE', message: 'occurredOn must be a real calendar date YYYY-MM-DD' });
  }

  if (data === undefined) errors.push({ path: `${prefix}data`, code: 'REQUIRED', message: 'data is required (an empty object where the type has none)' });
  else if (!isPlainObject(data)) errors.push({ path: `${prefix}data`, code: 'WRONG_TYPE', message: 'data must be a JSON object' });
  else if (knownType !== null) errors.push(...dataErrors(knownType, data, `${prefix}data.`));

  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) errors.push({ path: `${prefix}metadata`, code: 'WRONG_TYPE', message: 'metadata must be a JSON object' });
    else errors.push(...dtoErrors(EventMetadataDto, metadata, `${prefix}metadata.`));
  }
  return errors;
}

function dataErrors(type: EventType, data: unknown, prefix: string): FieldError[] {
  if (!isPlainObject(data)) return [{ path: prefix.replace(/\.$/, ''), code: 'WRONG_TYPE', message: 'data must be a JSON object' }];
  const errors = dtoErrors(DATA_DTOS[type], data, prefix);
  return errors.length > 0 ? errors : crossFieldErrors(type, data, prefix);
}

/**
 * Rules across the fields of one event: what a field may be depends on another.
 * Rules that need the stream (an update's GVHD grade against its AE's category) are
 * not checked here.
 */
export function crossFieldErrors(type: EventType, data: Record<string, unknown>, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, code: string, message: string) => errors.push({ path: `${prefix}${field}`, code, message });
  switch (type) {
    case 'PatientEnrolled': {
      for (const donor of ['bridgingDonor', 'transplantDonor'] as const) {
        const match = HLA_MATCH.exec((data[donor] as { hlaMatch: string }).hlaMatch);
        if (match && (Number(match[2]) === 0 || Number(match[1]) > Number(match[2]))) {
          fail(`${donor}.hlaMatch`, 'BAD_FORMAT', 'hlaMatch is matched/typed loci: matched cannot exceed typed, typed is at least 1');
        }
      }
      break;
    }
    case 'ChemotherapyStarted':
      if (data.regimen === 'OTHER' && data.regimenName === undefined) fail('regimenName', 'REQUIRED', 'regimenName is required for regimen OTHER');
      if (data.regimen !== 'OTHER' && data.regimenName !== undefined) fail('regimenName', 'NOT_ALLOWED', 'regimenName is given only for regimen OTHER');
      break;
    case 'ConditioningStarted': {
      const tbi = (data.agents as string[]).includes('TBI');
      if (tbi && data.tbiGy === undefined) fail('tbiGy', 'REQUIRED', 'tbiGy is required when agents include TBI');
      if (!tbi && data.tbiGy !== undefined) fail('tbiGy', 'NOT_ALLOWED', 'tbiGy is given only when agents include TBI');
      break;
    }
    case 'AdverseEventReported': {
      const grades: readonly string[] | null =
        data.category === 'ACUTE_GVHD' ? ACUTE_GVHD_GRADES : data.category === 'CHRONIC_GVHD' ? CHRONIC_GVHD_GRADES : null;
      if (grades === null && data.gvhdGrade !== undefined) fail('gvhdGrade', 'NOT_ALLOWED', 'gvhdGrade is given only for ACUTE_GVHD and CHRONIC_GVHD');
      if (grades !== null && data.gvhdGrade === undefined) fail('gvhdGrade', 'REQUIRED', `gvhdGrade is required for ${String(data.category)}`);
      if (grades !== null && data.gvhdGrade !== undefined && !grades.includes(data.gvhdGrade as string)) {
        fail('gvhdGrade', 'NOT_ALLOWED', `gvhdGrade for ${String(data.category)} must be one of ${grades.join(', ')}`);
      }
      if (data.category !== 'CHRONIC_GVHD' && data.systemicTherapy !== undefined) {
        fail('systemicTherapy', 'NOT_ALLOWED', 'systemicTherapy is given only for CHRONIC_GVHD');
      }
      break;
    }
    case 'AdverseEventUpdated':
      if (['ctcaeGrade', 'gvhdGrade', 'systemicTherapy', 'attribution', 'resolvedOn'].every((f) => data[f] === undefined)) {
        fail('', 'NOTHING_CHANGED', 'an update changes at least one of ctcaeGrade, gvhdGrade, systemicTherapy, attribution, resolvedOn');
      }
      break;
    case 'EventCorrected':
      if (data.occurredOn === undefined && data.data === undefined) fail('', 'NOTHING_CHANGED', 'a correction carries a new occurredOn, new data, or both');
      break;
    case 'GpbmcInfused':
    case 'ResponseAssessed':
    case 'StemCellsInfused':
    case 'EngraftmentRecorded':
    case 'RelapseDiagnosed':
    case 'FollowUpRecorded':
    case 'PatientDied':
    case 'PatientWithdrawn':
    case 'EventVoided':
      break;
    default: {
      const unhandled: never = type;
      throw new Error(`no cross-field rules for ${String(unhandled)}`);
    }
  }
  return errors.map((e) => (e.path.endsWith('.') ? { ...e, path: e.path.slice(0, -1) } : e));
}

function dtoErrors(dto: ClassConstructor<object>, plain: Record<string, unknown>, prefix: string): FieldError[] {
  // class-validator has no metadata for a class without fields and would call any value unknown.
  if (dto === FollowUpRecordedDataDto) {
    return Object.keys(plain).map((key) => ({ path: `${prefix}${key}`, code: 'UNKNOWN_FIELD', message: `${key} is not a known field (this type has no data)` }));
  }
  const instance = plainToInstance(dto, plain, { enableImplicitConversion: false });
  const found = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const errors: FieldError[] = [];
  flatten(found, prefix, errors);
  keysLeftOut(plain, instance, prefix, errors);
  return errors;
}

/**
 * class-transformer leaves out of the instance any key whose value on a new object is an
 * inherited function (toString, valueOf, hasOwnProperty, __defineGetter__...), so the
 * whitelist never sees it, while the plain object, which is what gets stored, keeps it.
 * Every key the instance lacks is therefore not in the catalogue, at any depth.
 */
function keysLeftOut(plain: Record<string, unknown>, built: object, prefix: string, out: FieldError[]): void {
  for (const key of Object.keys(plain)) {
    const path = `${prefix}${key}`;
    if (!Object.prototype.hasOwnProperty.call(built, key)) {
      out.push({ path, code: 'UNKNOWN_FIELD', message: `unknown field ${key}` });
      continue;
    }
    const value = plain[key];
    const child: unknown = (built as Record<string, unknown>)[key];
    if (isPlainObject(value) && typeof child === 'object' && child !== null && !Array.isArray(child)) keysLeftOut(value, child, `${path}.`, out);
    else if (Array.isArray(value) && Array.isArray(child)) {
      value.forEach((item, i) => {
        if (isPlainObject(item) && typeof child[i] === 'object' && child[i] !== null) keysLeftOut(item, child[i] as object, `${path}.${i}.`, out);
      });
    }
  }
}

/** Which constraint speaks for a field when several fail: the most basic one. */
const PRIORITY: ReadonlyArray<[constraint: string, code: string]> = [
  ['isDefined', 'REQUIRED'],
  ['whitelistValidation', 'UNKNOWN_FIELD'],
  ['isObject', 'WRONG_TYPE'],
  ['nestedValidation', 'WRONG_TYPE'],
  ['isArray', 'WRONG_TYPE'],
  ['isString', 'WRONG_TYPE'],
  ['isBoolean', 'WRONG_TYPE'],
  ['isNumber', 'WRONG_TYPE'],
  ['isInt', 'NOT_AN_INTEGER'],
  ['isNotEmpty', 'EMPTY'],
  ['maxLength', 'TOO_LONG'],
  ['isIn', 'NOT_ALLOWED'],
  ['isClinicalDate', 'INVALID_DATE'],
  ['matches', 'BAD_FORMAT'],
  ['min', 'OUT_OF_RANGE'],
  ['max', 'OUT_OF_RANGE'],
  ['arrayMinSize', 'ARRAY_SIZE'],
  ['arrayMaxSize', 'ARRAY_SIZE'],
  ['arrayUnique', 'DUPLICATE_ITEM'],
  ['unknownValue', 'WRONG_TYPE'],
];

function flatten(errors: readonly ValidationError[], prefix: string, out: FieldError[]): void {
  for (const error of errors) {
    const path = `${prefix}${error.property}`;
    if (error.constraints) {
      const [constraint, code] = PRIORITY.find(([name]) => error.constraints![name] !== undefined) ?? [Object.keys(error.constraints)[0], 'INVALID'];
      // class-validator says "property x should not exist" for an unknown field: said as the envelope says it.
      out.push({ path, code, message: code === 'UNKNOWN_FIELD' ? `${error.property} is not a known field` : error.constraints[constraint] });
    } else if (error.children?.length) {
      flatten(error.children, `${path}.`, out);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rejects what no valid body has before any object is built from it: deep nesting, prototype keys. */
function shapeErrors(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<[value: unknown, path: string, depth: number]> = [[body, '', 0]];
  while (stack.length > 0 && errors.length < 20) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) {
      errors.push({ path, code: 'TOO_DEEP', message: `${path || 'the body'} is nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}[${i}]`, depth + 1]));
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = path === '' ? key : `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) errors.push({ path: child, code: 'FORBIDDEN_KEY', message: `${key} is not allowed as a key anywhere` });
      else stack.push([(value as Record<string, unknown>)[key], child, depth + 1]);
    }
  }
  return errors;
}
