/**
 * What the web page asks the API, as pure functions of its controls (tested here, run in
 * the browser). The page's form fields carry the API's own parameter names.
 */
export type View =
  | { readonly name: 'swimmer' }
  | { readonly name: 'patient'; readonly subjectId: string }
  | { readonly name: 'survival' }
  | { readonly name: 'incidence' }
  | { readonly name: 'adverse-events' };

const SUBJECT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `#/patient/SYN-004` and the like; anything else is the swimmer plot. */
export function parseRoute(hash: string): View {
  const parts = hash.replace(/^#\/?/, '').split('/');
  switch (parts[0]) {
    case 'patient': {
      const subjectId = decodeURIComponent(parts[1] ?? '');
      return SUBJECT_ID.test(subjectId) ? { name: 'patient', subjectId } : { name: 'swimmer' };
    }
    case 'survival':
    case 'incidence':
    case 'adverse-events':
      return { name: parts[0] };
    default:
      return { name: 'swimmer' };
  }
}

export function routeHash(view: View): string {
  return view.name === 'patient' ? `#/patient/${encodeURIComponent(view.subjectId)}` : `#/${view.name}`;
}

export type ParamValue = string | number | boolean | null | undefined;

/** A query string of the parameters that have a value, in the order given. */
export function queryString(params: Readonly<Record<string, ParamValue>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    search.append(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The page's controls, as the form holds them (strings; '' is "not set"). */
export interface Controls {
  readonly asOf: string;
  readonly recordedBefore: string;
  readonly phase: string;
  readonly primaryEndpoint: string;
  readonly windowStatus: string;
  readonly diagnosis: string;
  readonly riskGroup: string;
  readonly relapsed: string;
  readonly hasDeviations: string;
  readonly sort: string;
  readonly order: string;
  readonly limit: string;
  readonly offset: string;
  readonly axis: string;
  readonly origin: string;
}

export const EMPTY_CONTROLS: Controls = {
  asOf: '',
  recordedBefore: '',
  phase: '',
  primaryEndpoint: '',
  windowStatus: '',
  diagnosis: '',
  riskGroup: '',
  relapsed: '',
  hasDeviations: '',
  sort: 'subjectId',
  order: 'asc',
  limit: '50',
  offset: '0',
  axis: 'DAY0',
  origin: 'TRANSPLANT',
};

/** The patient filters every cohort route takes (the list's and the reports'). */
export function filterParams(c: Controls): Record<string, ParamValue> {
  return {
    asOf: c.asOf,
    phase: c.phase,
    primaryEndpoint: c.primaryEndpoint,
    windowStatus: c.windowStatus,
    diagnosis: c.diagnosis,
    riskGroup: c.riskGroup,
    relapsed: c.relapsed,
    hasDeviations: c.hasDeviations,
  };
}

export function swimmerParams(c: Controls): Record<string, ParamValue> {
  return { ...filterParams(c), sort: c.sort, order: c.order, limit: c.limit, offset: c.offset, recordedBefore: c.recordedBefore };
}

export function survivalParams(c: Controls, endpoint: 'OS' | 'PFS' | 'GRFS'): Record<string, ParamValue> {
  return { endpoint, origin: c.origin, ...filterParams(c) };
}

export function incidenceParams(c: Controls): Record<string, ParamValue> {
  return { origin: c.origin, ...filterParams(c) };
}

/**
 * Where a cohort report is read: the report route, or, at a past recording time, its
 * as-recorded twin (the report routes answer from what is known now).
 */
export function reportRequest(
  report: 'survival' | 'cumulative-incidence' | 'adverse-events',
  params: Readonly<Record<string, ParamValue>>,
  c: Controls,
): { readonly path: string; readonly params: Readonly<Record<string, ParamValue>> } {
  return c.recordedBefore === ''
    ? { path: `/v1/reports/${report}`, params }
    : { path: `/v1/reports/as-recorded/${report}`, params: { ...params, recordedBefore: c.recordedBefore } };
}

export function patientParams(c: Controls): Record<string, ParamValue> {
  return { asOf: c.asOf, recordedBefore: c.recordedBefore };
}

/**
 * An ISO instant moved by whole days, for stepping back and forth in recording time;
 * from no instant (now), the step starts at `now`.
 */
export function shiftInstant(iso: string, days: number, now: Date): string {
  const base = iso === '' ? now.getTime() : Date.parse(iso);
  if (Number.isNaN(base)) return iso;
  return new Date(base + days * 86_400_000).toISOString();
}

/** The next page's offset, or null at either end. */
export function pageOffset(offset: number, limit: number, total: number, direction: -1 | 1): number | null {
  const next = offset + direction * limit;
  if (next < 0) return offset === 0 ? null : 0;
  return next >= total ? null : next;
}
