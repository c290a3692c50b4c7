/**
 * The schema of every answer the service sends, as named components of the OpenAPI
 * document. Each object schema is built with `objectOf<T>()` from the TypeScript type the
 * code returns, so a field added to, renamed in or removed from that type fails to compile
 * until its schema follows; the contract e2e test validates real answers against them.
 */
import { AE_CATEGORIES, ATTRIBUTIONS, CTCAE_GRADES, DEATH_CAUSES, DIAGNOSIS_TYPES, DISEASE_STATUSES, EVENT_TYPES, GVHD_GRADES, RELAPSE_KINDS, RISK_GROUPS, SEXES, SUSPECTED_CAUSES, WITHDRAWAL_REASONS, type Actor } from '../../domain/events/clinical-event';
import {
  GRAFT_FAILURE_STATUSES,
  MILESTONE_STATUSES,
  PHASES,
  PRIMARY_STATUSES,
  WINDOW_STATUSES,
  QUERY_CODES,
  type AeChange,
  type DataQuery,
  type QueryCode,
  type AeSummary,
  type CompetingOutcome,
  type EndpointOutcome,
  type Endpoints,
  type MilestoneVisit,
  type OffStudy,
  type PatientRecord,
  type PhaseSpan,
  type PrimaryCategoryCount,
  type PrimaryEndpoint,
  type RelapseVsNrm,
  type TimelineEntry,
} from '../../domain/projection/patient-record';
import type { PatientSummary } from '../../domain/projection/patient-summary';
import type { Deviation } from '../../domain/rules/deviations';
import type { ProportionInterval } from '../../domain/statistics';
import type { IncidenceMilestone } from '../../domain/statistics/cumulative-incidence';
import type { AppendedEvent, AuditedEvent } from '../../api/events/patient-events.service';
import type { ProjectorStatus } from '../../projections/patient.projector';
import { AE_PERIODS, type AdverseEventReport, type IncidenceRow, type PeriodIncidence, type SeriousCount, type WorstGradeCounts } from '../../reports/adverse-event-report';
import type { DatasetJson } from '../../reports/reports.service';
import { ENDPOINT_CODES, ORIGINS } from '../../reports/study';
import type { CumulativeIncidenceReport, IncidenceCauseReport, SurvivalReport } from '../../reports/time-to-event-report';
import type { ProblemBody } from '../problem/problem.filter';
import type { CohortQuery, QueriesService } from '../../api/queries/queries.service';
import type { QueryCountsReport } from '../../reports/query-counts';
import type { ReadModelState } from '../../api/patients/read-model-consistency';
import type { SwimmerMarker, SwimmerPage, SwimmerRow } from '../../ui/figures/swimmer';
import type { ProblemDetailItem } from '../problem/problem';
import type { Seal } from '../../event-store/log-seal';
import type { Break, BreakCode, VerificationReport } from '../../audit/log-verifier';
import type { FieldChange, QueryRef, TrailEntry } from '../../audit/change-trail';
import type { AuditService } from '../../audit/audit.service';
import { anyObject, arrayOf, boolean, date, instant, integer, nullable, number, objectOf, oneOfValues, ref, string, type SchemaObject } from './schema-builders';

type Element<T> = T extends readonly (infer E)[] ? E : never;

const DEVIATION_CODES = ['ELIGIBILITY_WAIVED', 'GPBMC_WITHOUT_CHEMOTHERAPY', 'CONDITIONING_WITHOUT_GPBMC', 'DAY0_WITHOUT_CONDITIONING', 'MILESTONE_VISIT_OVERDUE'] as const satisfies readonly Deviation['code'][];
const MILESTONE_DAYS = [30, 100, 182, 365, 730] as const satisfies readonly MilestoneVisit['day'][];
const VISIT_STATUSES = ['DONE', 'DUE', 'UPCOMING', 'OVERDUE', 'NOT_REQUIRED'] as const satisfies readonly MilestoneVisit['status'][];
const ENDPOINT_EVENT_TYPES = ['DEATH', 'RELAPSE', 'ACUTE_GVHD_III_IV', 'CHRONIC_GVHD_SYSTEMIC'] as const satisfies readonly NonNullable<EndpointOutcome['eventType']>[];
const PRIMARY_REASONS = [
  'BEFORE_TRANSPLANT',
  'DIED_BEFORE_TRANSPLANT',
  'WITHDRAWN_BEFORE_TRANSPLANT',
  'DIED',
  'WITHDRAWN',
  'NOT_OBSERVED_THROUGH_DAY_100',
] as const satisfies readonly NonNullable<PrimaryEndpoint['reason']>[];
const PROJECTOR_STATES = ['running', 'catching-up', 'rebuilding', 'stopped', 'failed'] as const satisfies readonly ProjectorStatus['state'][];
const grade = oneOfValues(CTCAE_GRADES, 'CTCAE grade 1-5');

const problemItem = objectOf<Pick<ProblemDetailItem, 'path' | 'code' | 'message'>>()(
  {
    path: string(
      'Where the problem is: a dotted path into the body (`data.eligibility.altXUln`; `[2].occurredOn` for the third event of a batch; `[2]` for a whole event of a batch; empty for the whole body), or the name of the query parameter, path parameter or header.',
    ),
    code: string('Stable machine-readable reason, e.g. REQUIRED, OUT_OF_RANGE, INVALID_DATE, or a clinical rule code such as DAY0_ALREADY_RECORDED.'),
    message: string('What is wrong, in plain words, starting with the name of what is wrong.'),
  },
  { optional: ['code'] },
);

const problemDetails: SchemaObject = {
  ...objectOf<Pick<ProblemBody, 'type' | 'title' | 'status' | 'code' | 'detail' | 'instance' | 'errors'>>()(
    {
      type: string('A URI reference naming the kind of problem, `/problems/<code in kebab case>`'),
      title: string('The HTTP reason phrase of the status'),
      status: integer('The HTTP status'),
      code: string('Stable machine-readable code: clients branch on it (e.g. VALIDATION_FAILED, CLINICAL_RULE_BROKEN, REVISION_CONFLICT, PATIENT_NOT_FOUND, UNAUTHENTICATED, FORBIDDEN_ROLE, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, URI_TOO_LONG)'),
      detail: string('What happened, for a person'),
      instance: string('The request path'),
      errors: arrayOf(ref('ProblemItem'), 'Every failing field, parameter, criterion or rule'),
    },
    { optional: ['instance', 'errors'] },
  ),
  description: 'An RFC 9457 problem (`application/problem+json`). Some codes add fields, e.g. `currentRevision` on REVISION_CONFLICT.',
};

const deviation = objectOf<Deviation>()(
  {
    code: oneOfValues(DEVIATION_CODES),
    date: date('The clinical date it arose on'),
    eventId: string('The event that raised it (absent for an overdue visit)'),
    milestoneDay: integer('MILESTONE_VISIT_OVERDUE only'),
    message: string(),
  },
  { optional: ['eventId', 'milestoneDay'] },
);

const appendedEvent = objectOf<AppendedEvent>()({
  eventId: string(),
  revision: integer('0-based revision in the patient stream'),
  position: integer('Position in the global log'),
  recordedAt: instant(),
});

const appendResult = objectOf<{ subjectId: string; events: unknown; deviations: unknown }>()({
  subjectId: string(),
  events: arrayOf(ref('AppendedEvent')),
  deviations: arrayOf(ref('Deviation'), 'Protocol deviations the append raised (accepted and flagged)'),
});

// The audit view's event: a union over event types, so its type-specific fields are listed by hand.
const auditedEvent = objectOf<Pick<AuditedEvent, 'eventId' | 'type' | 'data' | 'subjectId' | 'metadata' | 'actor' | 'recordedAt' | 'revision' | 'position' | 'schemaVersion' | 'chainDigest'> & { occurredOn?: string }>()(
  {
    eventId: string(),
    type: oneOfValues(EVENT_TYPES),
    occurredOn: date('Absent on EventCorrected and EventVoided'),
    data: anyObject("The event's data, of the schema of its type"),
    subjectId: string(),
    metadata: anyObject('The client metadata as sent (source, correlationId, causationId)'),
    actor: objectOf<Actor>()({ keyId: string('The API key id, never the key'), role: string() }),
    recordedAt: instant(),
    revision: integer(),
    position: integer(),
    schemaVersion: integer(),
    chainDigest: string('SHA-256 (hex) over the previous digest and this event'),
  },
  { optional: ['occurredOn'] },
);

const auditTrail = objectOf<{ subjectId: string; events: unknown; headDigest: string | null }>()({
  subjectId: string(),
  events: arrayOf(ref('AuditedEvent')),
  headDigest: nullable(string('The chain digest of the last event shown')),
});

const phaseSpan = objectOf<PhaseSpan>()(
  {
    phase: oneOfValues(PHASES),
    from: date(),
    to: nullable(date('Last day in the phase, inclusive; null while current')),
    eventId: string(),
    reason: string('OFF_STUDY only: DIED:<cause> or WITHDRAWN:<reason>'),
  },
  { optional: ['eventId', 'reason'] },
);

const milestoneStatus = oneOfValues(MILESTONE_STATUSES);
const endpointOutcome = objectOf<EndpointOutcome>()(
  {
    event: boolean(),
    date: date('The event date, or the censoring date'),
    days: integer('Days from the origin to date'),
    eventType: oneOfValues(ENDPOINT_EVENT_TYPES),
    milestones: objectOf<EndpointOutcome['milestones']>()({ '365': milestoneStatus, '730': milestoneStatus }),
  },
  { optional: ['eventType'] },
);
const endpoints = objectOf<Endpoints>()({ OS: ref('EndpointOutcome'), PFS: ref('EndpointOutcome'), GRFS: ref('EndpointOutcome') });

const aeChange = objectOf<AeChange>()(
  {
    date: date(),
    eventId: string(),
    ctcaeGrade: grade,
    gvhdGrade: oneOfValues(GVHD_GRADES),
    attribution: oneOfValues(ATTRIBUTIONS),
    systemicTherapy: boolean(),
    resolvedOn: date(),
  },
  { optional: ['ctcaeGrade', 'gvhdGrade', 'attribution', 'systemicTherapy', 'resolvedOn'] },
);

const aeSummary = objectOf<AeSummary>()(
  {
    aeId: string(),
    eventId: string(),
    term: string(),
    category: oneOfValues(AE_CATEGORIES),
    onset: date(),
    dayRelative: nullable(integer('Day of onset relative to Day 0')),
    phaseAtOnset: oneOfValues(AE_PERIODS, 'The AE period of the onset'),
    ctcaeGrade: grade,
    worstCtcaeGrade: grade,
    worstCtcaeGradeByDay100: grade,
    gvhdGrade: oneOfValues(GVHD_GRADES),
    worstGvhdGrade: oneOfValues(GVHD_GRADES),
    serious: boolean(),
    attribution: oneOfValues(ATTRIBUTIONS),
    treatmentRelated: boolean(),
    suspectedCause: oneOfValues(SUSPECTED_CAUSES),
    resolvedOn: date(),
    systemicTherapy: boolean(),
    severeAcuteGvhdOn: date(),
    systemicTherapyOn: date(),
    changes: arrayOf(ref('AeChange')),
  },
  {
    optional: ['worstCtcaeGradeByDay100', 'gvhdGrade', 'worstGvhdGrade', 'suspectedCause', 'resolvedOn', 'systemicTherapy', 'severeAcuteGvhdOn', 'systemicTherapyOn'],
  },
);

const primaryEndpoint = objectOf<PrimaryEndpoint>()(
  {
    status: oneOfValues(PRIMARY_STATUSES),
    reason: oneOfValues(PRIMARY_REASONS),
    eventDate: nullable(date('Onset of the first treatment-related AE in the window')),
    byCategory: arrayOf(
      objectOf<PrimaryCategoryCount>()({
        category: oneOfValues(AE_CATEGORIES),
        count: integer(),
        worstGrade: integer(),
        aeIds: arrayOf(string()),
        deathEventId: string('A treatment-related death in the window counted in this row as a grade-5 event (no grade-5 AE of the window stands for it)'),
      }, { optional: ['deathEventId'] }),
    ),
  },
  { optional: ['reason'] },
);

const dataQuery = objectOf<DataQuery>()({
  code: oneOfValues(QUERY_CODES),
  raisedOn: date('The clinical date the question arose on'),
  eventIds: arrayOf(string(), 'The effective events it concerns'),
  question: string('One plain question for the site'),
});

const queryList = objectOf<Awaited<ReturnType<QueriesService['list']>>>()({
  asOf: date(),
  total: integer('Open queries that pass the filters'),
  byCode: objectOf<Record<QueryCode, number>>()(Object.fromEntries(QUERY_CODES.map((c) => [c, integer()])) as Record<QueryCode, SchemaObject>),
  limit: integer(),
  offset: integer(),
  items: arrayOf(
    objectOf<CohortQuery>()({
      subjectId: string(),
      code: oneOfValues(QUERY_CODES),
      raisedOn: date(),
      ageDays: integer('Days from raisedOn to the as-of date'),
      eventIds: arrayOf(string()),
      question: string(),
    }),
  ),
});

const queryCounts = objectOf<QueryCountsReport>()({
  patients: integer('Patients of the cohort with an open data query as of the date'),
  byCode: objectOf<Record<QueryCode, number>>()(Object.fromEntries(QUERY_CODES.map((c) => [c, integer()])) as Record<QueryCode, SchemaObject>),
});

const competing = oneOfValues(['RELAPSE', 'NRM']);
const relapseVsNrm = objectOf<RelapseVsNrm>()({
  event: nullable(competing),
  date: date(),
  daysFromDay0: nullable(integer()),
  daysFromEnrollment: integer(),
  fromDay0: nullable(objectOf<CompetingOutcome>()({ event: nullable(competing), date: date(), days: integer() })),
});

const milestoneVisit = objectOf<MilestoneVisit>()({
  day: oneOfValues(MILESTONE_DAYS),
  due: date(),
  windowFrom: date(),
  windowTo: date(),
  status: oneOfValues(VISIT_STATUSES),
  contactOn: nullable(date()),
});

const timelineEntry = objectOf<TimelineEntry>()({
  eventId: string(),
  type: oneOfValues(EVENT_TYPES),
  occurredOn: date(),
  day: nullable(integer('Relative to Day 0')),
  phase: oneOfValues(PHASES, 'The phase at the end of that date'),
  revision: integer(),
  correctedBy: arrayOf(string(), 'Ids of the corrections applied'),
  data: anyObject('The effective data, of the schema of its type'),
});

const offStudy = objectOf<OffStudy>()({
  date: date(),
  reason: oneOfValues(['DIED', 'WITHDRAWN']),
  detail: oneOfValues([...DEATH_CAUSES, ...WITHDRAWAL_REASONS]),
  eventId: string(),
});

/** The fields a summary (list row) shares with the record. */
const summaryFields = {
  subjectId: string(),
  asOf: date(),
  revision: integer('The stream revision the record reflects'),
  enrolledOn: date(),
  diagnosis: objectOf<PatientRecord['diagnosis']>()({
    type: oneOfValues(DIAGNOSIS_TYPES),
    status: oneOfValues(DISEASE_STATUSES),
    riskGroup: nullable(oneOfValues(RISK_GROUPS)),
    who: nullable(string()),
  }),
  sex: oneOfValues(SEXES),
  ageYears: integer(),
  phase: oneOfValues(PHASES),
  phaseHistory: arrayOf(ref('PhaseSpan')),
  offStudy: nullable(ref('OffStudy')),
  death: nullable(
    objectOf<NonNullable<PatientRecord['death']>>()({ date: date(), cause: oneOfValues(DEATH_CAUSES), treatmentRelated: boolean(), eventId: string() }),
  ),
  relapsed: boolean(),
  relapse: nullable(objectOf<NonNullable<PatientRecord['relapse']>>()({ date: date(), kind: oneOfValues(RELAPSE_KINDS), eventId: string() })),
  day0: nullable(date()),
  day0EventId: nullable(string('The StemCellsInfused event of Day 0')),
  day100Window: objectOf<PatientRecord['day100Window']>()({ start: nullable(date()), end: nullable(date()), status: oneOfValues(WINDOW_STATUSES) }),
  primaryEndpoint: ref('PrimaryEndpoint'),
  endpoints: nullable(ref('Endpoints')),
  endpointsFromEnrollment: ref('Endpoints'),
  relapseVsNrm: ref('RelapseVsNrm'),
  lastKnownAlive: date('Latest date of a documented contact (any clinical event but a withdrawal), not after death: OS censors here'),
  lastAssessed: date('Latest documented contact on or before the withdrawal (lastKnownAlive without one): PFS, GRFS and relapse/NRM censor here'),
  engraftment: objectOf<PatientRecord['engraftment']>()({ neutrophil: nullable(date()), platelet: nullable(date()) }),
  graftFailure: nullable(oneOfValues(GRAFT_FAILURE_STATUSES)),
  milestoneVisits: arrayOf(ref('MilestoneVisit')),
  deviations: arrayOf(ref('Deviation')),
  queries: arrayOf(ref('DataQuery'), 'Open data queries as of the date; empty when none'),
} satisfies { readonly [K in keyof Required<PatientSummary>]: SchemaObject };

const patientSummary = objectOf<PatientSummary>()(summaryFields, { description: 'A patient record without its timeline and AE lists' });
const patientRecord = objectOf<PatientRecord>()({
  ...summaryFields,
  bridgingAdverseEvents: arrayOf(ref('AeSummary'), 'AEs of period BRIDGING (onset before conditioning starts)'),
  adverseEvents: arrayOf(ref('AeSummary'), 'Every AE, in clinical order of onset'),
  timeline: arrayOf(ref('TimelineEntry')),
});

const patientList = objectOf<{ asOf: string; total: number; limit: number; offset: number; items: unknown }>()({
  asOf: date(),
  total: integer('Patients that pass the filters'),
  limit: integer(),
  offset: integer(),
  items: arrayOf(ref('PatientSummary')),
});

const patientTimeline = objectOf<{ subjectId: string; asOf: string; day0: string | null; revision: number; events: unknown }>()({
  subjectId: string(),
  asOf: date(),
  day0: nullable(date()),
  revision: integer(),
  events: arrayOf(ref('TimelineEntry')),
});

const limits = (what: string) => nullable(number(`${what}; null where not estimable`));
const survivalReport = objectOf<SurvivalReport & { queries: QueryCountsReport }>()({
  endpoint: oneOfValues(ENDPOINT_CODES),
  origin: oneOfValues(ORIGINS),
  asOf: date(),
  n: integer(),
  events: integer(),
  censored: integer(),
  median: objectOf<SurvivalReport['median']>()({ days: limits('Median time in days'), lower: limits('Lower 95% limit'), upper: limits('Upper 95% limit') }),
  milestones: arrayOf(
    objectOf<Element<SurvivalReport['milestones']>>()({ day: integer(), survival: limits('Kaplan-Meier estimate'), lower: limits('Lower 95% limit'), upper: limits('Upper 95% limit'), atRisk: integer() }),
  ),
  steps: arrayOf(
    objectOf<Element<SurvivalReport['steps']>>()({
      day: integer(),
      atRisk: integer(),
      events: integer(),
      censored: integer(),
      survival: number(),
      lower: limits('Lower 95% limit (log-log)'),
      upper: limits('Upper 95% limit (log-log)'),
    }),
  ),
  queries: ref('QueryCounts'),
});

const incidenceCause = objectOf<IncidenceCauseReport>()({
  events: integer(),
  milestones: arrayOf(
    objectOf<IncidenceMilestone>()({ day: integer(), estimate: limits('Cumulative incidence'), variance: limits('Variance'), lower: limits('Lower 95% limit'), upper: limits('Upper 95% limit'), atRisk: integer() }),
  ),
  steps: arrayOf(
    objectOf<Element<IncidenceCauseReport['steps']>>()({
      day: integer(),
      atRisk: integer(),
      events: integer(),
      estimate: number(),
      variance: number(),
      lower: limits('Lower 95% limit'),
      upper: limits('Upper 95% limit'),
    }),
  ),
});

const cumulativeIncidenceReport = objectOf<CumulativeIncidenceReport & { queries: QueryCountsReport }>()({
  origin: oneOfValues(ORIGINS),
  asOf: date(),
  n: integer(),
  censored: integer(),
  relapse: ref('IncidenceCause'),
  nonRelapseMortality: ref('IncidenceCause'),
  queries: ref('QueryCounts'),
});

const proportion = objectOf<ProportionInterval>()({ estimate: limits('Proportion'), lower: limits('Clopper-Pearson lower 95% limit'), upper: limits('Clopper-Pearson upper 95% limit') });
const worstGrades = objectOf<WorstGradeCounts>()({ '1': integer(), '2': integer(), '3': integer(), '4': integer(), '5': integer() }, { description: 'Patients by their worst grade' });
const incidenceRowFields = { patients: integer(), byWorstGrade: ref('WorstGradeCounts'), incidence: ref('Proportion') } satisfies Record<keyof IncidenceRow, SchemaObject>;
const categoryRow = objectOf<Element<PeriodIncidence['byCategory']>>()({ ...incidenceRowFields, category: oneOfValues(AE_CATEGORIES) });
const seriousFields = { patients: integer(), events: integer() } satisfies Record<keyof SeriousCount, SchemaObject>;
type SeriousPeriod = Element<AdverseEventReport['serious']['periods']>;

const adverseEventReport = objectOf<AdverseEventReport & { queries: QueryCountsReport }>()({
  asOf: date(),
  n: integer(),
  treatmentRelated: objectOf<AdverseEventReport['treatmentRelated']>()({
    definition: string(),
    periods: arrayOf(
      objectOf<PeriodIncidence>()({
        period: oneOfValues(AE_PERIODS),
        denominator: objectOf<PeriodIncidence['denominator']>()({ patients: integer(), definition: string() }),
        anyCategory: objectOf<IncidenceRow>()(incidenceRowFields),
        byCategory: arrayOf(ref('CategoryIncidenceRow')),
      }),
    ),
  }),
  primaryEndpoint: objectOf<AdverseEventReport['primaryEndpoint']>()({
    denominatorRule: string('The one denominator rule of this line and of the DAY100_WINDOW table'),
    incomplete: objectOf<AdverseEventReport['primaryEndpoint']['incomplete']>()({
      patients: integer(),
      byReason: objectOf<AdverseEventReport['primaryEndpoint']['incomplete']['byReason']>()({ DIED: integer(), WITHDRAWN: integer() }),
    }),
    worstCase: objectOf<AdverseEventReport['primaryEndpoint']['worstCase']>()({
      withEvent: integer('EVENT + INCOMPLETE'),
      denominator: integer('EVENT + NO_EVENT + INCOMPLETE'),
      incidence: ref('Proportion'),
    }),
    byStatus: objectOf<AdverseEventReport['primaryEndpoint']['byStatus']>()(Object.fromEntries(PRIMARY_STATUSES.map((s) => [s, integer()])) as Record<(typeof PRIMARY_STATUSES)[number], SchemaObject>),
    evaluable: integer('EVENT + NO_EVENT'),
    withEvent: integer(),
    incidence: ref('Proportion'),
    byCategory: arrayOf(ref('CategoryIncidenceRow')),
  }),
  serious: objectOf<AdverseEventReport['serious']>()({
    periods: arrayOf(
      objectOf<SeriousPeriod>()({
        ...seriousFields,
        period: oneOfValues(AE_PERIODS),
        denominator: integer(),
        denominatorDefinition: string(),
        byCategory: arrayOf(objectOf<Element<SeriousPeriod['byCategory']>>()({ ...seriousFields, category: oneOfValues(AE_CATEGORIES) })),
      }),
    ),
  }),
  queries: ref('QueryCounts'),
});

const datasetJson = objectOf<DatasetJson>()(
  {
    dataset: oneOfValues(['ADTTE', 'AE']),
    studyId: string(),
    asOf: date(),
    origin: oneOfValues(ORIGINS),
    columns: arrayOf(string(), 'Column names, in file order'),
    rows: arrayOf(anyObject('One row keyed by column; nulls as null')),
  },
  { optional: ['origin'] },
);

const projectorStatus = objectOf<ProjectorStatus>()(
  {
    checkpoint: nullable(integer('Last global position folded in')),
    head: nullable(integer('Head of the global log')),
    caughtUp: boolean(),
    state: oneOfValues(PROJECTOR_STATES),
    error: string(),
    fault: oneOfValues(['storage-full', 'damaged']),
  },
  { optional: ['error', 'fault'] },
);

const health: SchemaObject = {
  type: 'object',
  required: ['status', 'store'],
  properties: {
    status: oneOfValues(['ok', 'unavailable']),
    store: oneOfValues(['reachable', 'unreachable']),
    readModel: {
      type: 'object',
      required: ['state', 'checkpoint', 'head', 'caughtUp', 'lagPositions'],
      properties: {
        state: oneOfValues(PROJECTOR_STATES),
        checkpoint: nullable(integer()),
        head: nullable(integer()),
        caughtUp: boolean(),
        lagPositions: integer('Global positions behind the head; 0 when caught up'),
      },
    },
  },
};

type SwimmerMarkerFields = { [K in SwimmerMarker extends infer M ? (M extends unknown ? keyof M : never) : never]: SchemaObject };
const swimmerMarker: SchemaObject = {
  type: 'object',
  description: 'One marker on a bar: its kind and date, and the fields of that kind (AE: aeId, term, category, grade, serious, treatmentRelated; ENGRAFTMENT: lineage; RELAPSE, DEATH, WITHDRAWAL: detail)',
  required: ['kind', 'date'],
  properties: {
    kind: oneOfValues(['DAY0', 'ENGRAFTMENT', 'AE', 'RELAPSE', 'DEATH', 'WITHDRAWAL']),
    date: date(),
    lineage: oneOfValues(['NEUTROPHIL', 'PLATELET']),
    aeId: string(),
    term: string(),
    category: oneOfValues(AE_CATEGORIES),
    grade: integer('Worst CTCAE grade'),
    serious: boolean(),
    treatmentRelated: boolean(),
    detail: string('Relapse kind, death cause or withdrawal reason'),
  } satisfies SwimmerMarkerFields,
};

const swimmerPage = objectOf<SwimmerPage>()({
  asOf: date(),
  recordedBefore: nullable(instant()),
  total: integer('Patients that pass the filters'),
  limit: integer(),
  offset: integer(),
  rows: arrayOf(
    objectOf<SwimmerRow>()({
      subjectId: string(),
      diagnosis: string(),
      asOf: date(),
      enrolledOn: date(),
      day0: nullable(date()),
      end: date('Last day of the bar, inclusive'),
      status: oneOfValues(['ON_STUDY', 'COMPLETED', 'DIED', 'WITHDRAWN']),
      phases: arrayOf(objectOf<Element<SwimmerRow['phases']>>()({ phase: oneOfValues(PHASES), from: date(), to: date() })),
      window: nullable(objectOf<NonNullable<SwimmerRow['window']>>()({ start: date(), end: date() })),
      markers: arrayOf(swimmerMarker),
    }),
  ),
});

/** A report route's answer as the cohort was recorded before an instant. */
const asRecorded = (name: string): SchemaObject => ({
  allOf: [ref(name), { type: 'object', required: ['recordedBefore'], properties: { recordedBefore: instant() } }],
});

const readModelState = objectOf<ReadModelState>()({
  caughtUp: boolean('Whether every event stored when the request came was folded in'),
  position: nullable(integer('Global position through which every event is folded into the rows')),
  head: nullable(integer("The log's last position when the request came")),
});

const hex64 = (description: string): SchemaObject => ({ type: 'string', pattern: '^[0-9a-f]{64}$', description });
/** A value of any JSON type, null included (a corrected field's old or new value). */
const anyValue = (description: string): SchemaObject => ({ description });

const seal = objectOf<Seal>()({
  sequence: integer('1, 2, 3... with no gap'),
  position: integer('Log position of the last event the seal covers (this store\'s own)'),
  count: integer('How many events of the log the seal covers'),
  merkleRoot: hex64('RFC 6962 Merkle root over the chain digests of those events, in log order'),
  frontier: arrayOf(hex64('A perfect subtree root'), 'Roots of the perfect subtrees, largest first'),
  previousSealDigest: nullable(hex64('The digest of the previous seal; null for the first')),
  sealedAt: instant(),
  digest: hex64('SHA-256 over the canonical JSON of every other field'),
});

const sealList = objectOf<Awaited<ReturnType<AuditService['seals']>>>()({
  seals: arrayOf(ref('Seal')),
  next: nullable(integer('The fromSequence of the next page; null on the last')),
});

// Listed as a record so that a code added to BreakCode fails to compile until it is here.
const BREAK_CODES = Object.keys({
  DIGEST_MISMATCH: true,
  DIGEST_MISSING: true,
  REVISION_GAP: true,
  POSITION_NOT_INCREASING: true,
  RECORDED_AT_BACKWARDS: true,
  SEAL_CHAIN_BROKEN: true,
  SEAL_DIGEST_MISMATCH: true,
  SEAL_MISMATCH: true,
  SEAL_BEYOND_LOG: true,
  KEPT_SEAL_ALTERED: true,
  KEPT_SEAL_MISMATCH: true,
  KEPT_SEAL_BEYOND_LOG: true,
  KEPT_SEAL_REPLACED: true,
} satisfies Record<BreakCode, true>);

const verificationBreak = objectOf<Break>()(
  {
    code: oneOfValues(BREAK_CODES),
    message: string('What differs, in plain words'),
    streamId: string(),
    revision: integer(),
    position: integer(),
    sequence: integer('The seal concerned (a stored or a kept one)'),
    expected: anyValue('What the check expected (a digest, a root, a revision...)'),
    found: anyValue('What it found'),
  },
  { optional: ['streamId', 'revision', 'position', 'sequence', 'expected', 'found'] },
);

const verificationReport = objectOf<VerificationReport>()({
  ok: boolean('True when no break was found'),
  events: integer('Events checked'),
  streams: integer('Streams checked'),
  head: objectOf<VerificationReport['head']>()({
    position: nullable(integer('The last position of the log; null when empty')),
    count: integer(),
    merkleRoot: string('Merkle root over every event\'s recomputed digest'),
  }),
  seals: objectOf<VerificationReport['seals']>()({
    stored: integer(),
    checked: integer(),
    lastVerified: nullable(integer('Sequence of the last stored seal that held')),
  }),
  keptSeals: arrayOf(objectOf<Element<VerificationReport['keptSeals']>>()({ sequence: integer(), count: integer(), ok: boolean() })),
  streamBreaks: arrayOf(ref('VerificationBreak'), 'The first broken link of each stream, in log order'),
  logBreaks: arrayOf(ref('VerificationBreak'), 'Breaks of the log order, the seal chain and kept seals'),
});

/** A StreamSummary of a patient stream, named by its subject id. */
type SubjectSummary = Element<Awaited<ReturnType<AuditService['subjects']>>['subjects']>;
const subjectSummary = objectOf<SubjectSummary>()({
  subjectId: string(),
  eventCount: integer(),
  firstRecordedAt: instant(),
  lastRecordedAt: instant(),
  headRevision: integer(),
  headDigest: nullable(string('The head\'s stored chain digest; null when the store holds none for it')),
});

const subjectList = objectOf<Awaited<ReturnType<AuditService['subjects']>>>()({
  subjects: arrayOf(ref('SubjectSummary')),
  next: nullable(string('The `after` of the next page; null on the last')),
});

const fieldChange = objectOf<FieldChange>()({
  field: string('`occurredOn` or `data.<field>` of a corrected event; a dotted path of the derived record'),
  from: anyValue('The value before (null when there was none)'),
  to: anyValue('The value after (null when there is none)'),
});

const queryRef = objectOf<QueryRef>()({ code: oneOfValues(QUERY_CODES), eventIds: arrayOf(string()) });

const trailEntry = objectOf<TrailEntry>()(
  {
    revision: integer(),
    position: integer(),
    recordedAt: instant(),
    eventId: string(),
    type: oneOfValues(EVENT_TYPES),
    occurredOn: nullable(date('Null on EventCorrected and EventVoided')),
    actor: objectOf<Actor>()({ keyId: string('The API key id, never the key'), role: string() }),
    enteredBy: nullable(objectOf<NonNullable<TrailEntry['enteredBy']>>()({ userId: string(), site: string() }, { optional: ['site'] })),
    targetEventId: string('Corrections and voids: the event they change'),
    reason: string('Corrections and voids: why'),
    correctedFields: arrayOf(ref('FieldChange'), 'Corrections: each field of the target changed, with its value in force before and after'),
    recordChanges: arrayOf(ref('FieldChange'), 'What the event changed in the derived record as of the trail\'s date'),
    queriesRaised: arrayOf(ref('QueryRef')),
    queriesAnswered: arrayOf(ref('QueryRef')),
    digest: nullable(string('The stored chain digest')),
  },
  { optional: ['targetEventId', 'reason', 'correctedFields'] },
);

const changeTrail = objectOf<Awaited<ReturnType<AuditService['trail']>>>()({
  subjectId: string(),
  asOf: date('The clinical date the derived record is taken as of'),
  events: arrayOf(ref('TrailEntry')),
});

/** Every named schema the routes' answers refer to. */
export const RESPONSE_SCHEMAS: Readonly<Record<string, SchemaObject>> = {
  ProblemDetails: problemDetails,
  ProblemItem: problemItem,
  Health: health,
  AppendedEvent: appendedEvent,
  AppendResult: appendResult,
  Deviation: deviation,
  AuditedEvent: auditedEvent,
  AuditTrail: auditTrail,
  PhaseSpan: phaseSpan,
  OffStudy: offStudy,
  EndpointOutcome: endpointOutcome,
  Endpoints: endpoints,
  AeChange: aeChange,
  AeSummary: aeSummary,
  PrimaryEndpoint: primaryEndpoint,
  RelapseVsNrm: relapseVsNrm,
  MilestoneVisit: milestoneVisit,
  TimelineEntry: timelineEntry,
  PatientSummary: patientSummary,
  PatientRecord: patientRecord,
  PatientList: patientList,
  PatientTimeline: patientTimeline,
  SurvivalReport: survivalReport,
  IncidenceCause: incidenceCause,
  CumulativeIncidenceReport: cumulativeIncidenceReport,
  Proportion: proportion,
  WorstGradeCounts: worstGrades,
  CategoryIncidenceRow: categoryRow,
  AdverseEventReport: adverseEventReport,
  DatasetJson: datasetJson,
  ProjectorStatus: projectorStatus,
  DataQuery: dataQuery,
  QueryList: queryList,
  QueryCounts: queryCounts,
  SwimmerPage: swimmerPage,
  ReadModelState: readModelState,
  SurvivalReportAsRecorded: asRecorded('SurvivalReport'),
  CumulativeIncidenceReportAsRecorded: asRecorded('CumulativeIncidenceReport'),
  AdverseEventReportAsRecorded: asRecorded('AdverseEventReport'),
  Seal: seal,
  SealList: sealList,
  VerificationBreak: verificationBreak,
  VerificationReport: verificationReport,
  SubjectSummary: subjectSummary,
  SubjectList: subjectList,
  FieldChange: fieldChange,
  QueryRef: queryRef,
  TrailEntry: trailEntry,
  ChangeTrail: changeTrail,
};
