/**
 * The web page at /ui: asks for an API key once (this tab only), reads the public API with
 * it, and draws with the same figure functions the server's SVG files use. It can do
 * nothing the key could not do with curl.
 */
import { DIAGNOSIS_TYPES, RISK_GROUPS } from '../../domain/events/clinical-event';
import type { PatientRecord } from '../../domain/projection/patient-record';
import { PHASES, PRIMARY_STATUSES, WINDOW_STATUSES } from '../../domain/projection/patient-record';
import type { AdverseEventReport } from '../../reports/adverse-event-report';
import type { CumulativeIncidenceReport, SurvivalReport } from '../../reports/time-to-event-report';
import { aeHeatmapHtml } from '../figures/ae-heatmap';
import { cumulativeIncidenceSvg, filterWords, survivalSvg } from '../figures/curves';
import { PHASE_LABELS } from '../figures/palette';
import { dayLabel } from '../figures/scale';
import { escapeXml as esc } from '../figures/svg';
import { SWIMMER_AXES, swimmerRowOf, swimmerSvg, type SwimmerAxis, type SwimmerPage } from '../figures/swimmer';
import {
  EMPTY_CONTROLS,
  filterParams,
  incidenceParams,
  pageOffset,
  parseRoute,
  patientParams,
  queryString,
  reportRequest,
  routeHash,
  shiftInstant,
  survivalParams,
  swimmerParams,
  type Controls,
  type ParamValue,
  type View,
} from '../page-state';

const KEY_STORAGE = 'timeline.apiKey';

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

const keyForm = byId<HTMLFormElement>('key-form');
const keyInput = byId<HTMLInputElement>('api-key');
const keyMessage = byId<HTMLParagraphElement>('key-message');
const app = byId<HTMLDivElement>('app');
const controlsForm = byId<HTMLFormElement>('controls');
const view = byId<HTMLElement>('view');
const status = byId<HTMLParagraphElement>('status');
const tooltip = byId<HTMLDivElement>('tooltip');
const forgetKey = byId<HTMLButtonElement>('forget-key');

async function api<T>(path: string, params: Readonly<Record<string, ParamValue>> = {}): Promise<T> {
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key === null) throw new ApiError(401, 'NO_KEY', 'No API key entered.');
  const response = await fetch(path + queryString(params), { headers: { authorization: `Bearer ${key}`, accept: 'application/json' } });
  if (!response.ok) {
    let problem: { code?: string; detail?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // Not problem+json: the status says enough.
    }
    throw new ApiError(response.status, problem.code ?? `HTTP_${response.status}`, problem.detail ?? response.statusText);
  }
  return (await response.json()) as T;
}

// ---- key --------------------------------------------------------------------------------

function showKeyForm(message: string): void {
  app.hidden = true;
  forgetKey.hidden = true;
  keyForm.hidden = false;
  keyMessage.textContent = message;
  keyInput.value = '';
  keyInput.focus();
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (key === '') return;
  sessionStorage.setItem(KEY_STORAGE, key);
  keyInput.value = '';
  startApp();
});

forgetKey.addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  showKeyForm('Key forgotten. Paste a key to continue.');
});

function startApp(): void {
  keyForm.hidden = true;
  app.hidden = false;
  forgetKey.hidden = false;
  void render();
}

// ---- controls ---------------------------------------------------------------------------

const OPTION_LISTS: Readonly<Record<string, readonly string[]>> = {
  phase: PHASES,
  primaryEndpoint: PRIMARY_STATUSES,
  windowStatus: WINDOW_STATUSES,
  diagnosis: DIAGNOSIS_TYPES,
  riskGroup: RISK_GROUPS,
};

for (const select of Array.from(controlsForm.querySelectorAll<HTMLSelectElement>('select[data-options]'))) {
  const values = OPTION_LISTS[select.dataset.options ?? ''] ?? [];
  select.innerHTML = `<option value="">any</option>${values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')}`;
}

function readControls(): Controls {
  const data = new FormData(controlsForm);
  const value = (name: keyof Controls) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : EMPTY_CONTROLS[name];
  };
  const controls = {} as Record<keyof Controls, string>;
  for (const name of Object.keys(EMPTY_CONTROLS) as (keyof Controls)[]) controls[name] = value(name);
  return controls;
}

function setControl(name: keyof Controls, value: string): void {
  const field = controlsForm.elements.namedItem(name);
  if (field instanceof HTMLInputElement || field instanceof HTMLSelectElement) field.value = value;
}

controlsForm.addEventListener('change', (event) => {
  // A new filter or sort starts at the first page.
  if ((event.target as HTMLInputElement).name !== 'offset') setControl('offset', '0');
  void render();
});
controlsForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void render();
});
controlsForm.addEventListener('click', (event) => {
  const action = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]')?.dataset.action;
  if (!action) return;
  const controls = readControls();
  switch (action) {
    case 'today':
      setControl('asOf', '');
      break;
    case 'earlier':
      setControl('recordedBefore', shiftInstant(controls.recordedBefore, -1, new Date()));
      break;
    case 'later':
      setControl('recordedBefore', shiftInstant(controls.recordedBefore, 1, new Date()));
      break;
    case 'now':
      setControl('recordedBefore', '');
      break;
    default:
      return;
  }
  setControl('offset', '0');
  void render();
});

// ---- rendering --------------------------------------------------------------------------

let renderCount = 0;

async function render(): Promise<void> {
  if (sessionStorage.getItem(KEY_STORAGE) === null) {
    showKeyForm('');
    return;
  }
  const current = parseRoute(location.hash);
  const controls = readControls();
  const ticket = ++renderCount;
  document.body.dataset.view = current.name;
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('nav a'))) {
    if (link.dataset.nav === current.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  view.dataset.state = 'loading';
  status.textContent = 'Loading…';
  let html: string;
  try {
    html = await VIEWS[current.name](controls, current);
  } catch (error) {
    if (ticket !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      showKeyForm(`The service refused the key (${error.detail}) Paste a valid key.`);
      return;
    }
    html = problemHtml(error);
  }
  // A later render has started: its answer wins.
  if (ticket !== renderCount) return;
  view.innerHTML = html;
  wire(current);
  // Which drawing this is: a test (or a screen reader user's script) can wait for the next one.
  view.dataset.render = String(ticket);
  view.dataset.state = 'ready';
  status.textContent = `${titleOf(current)} drawn${controls.asOf ? ` as of ${controls.asOf}` : ''}${controls.recordedBefore ? `, as recorded before ${controls.recordedBefore}` : ''}.`;
}

function titleOf(v: View): string {
  switch (v.name) {
    case 'swimmer':
      return 'Swimmer plot';
    case 'patient':
      return `Patient ${v.subjectId}`;
    case 'survival':
      return 'Survival curves';
    case 'incidence':
      return 'Cumulative incidence';
    case 'adverse-events':
      return 'AE heatmap';
    default: {
      const unknown: never = v;
      throw new Error(`unknown view ${String(unknown)}`);
    }
  }
}

function problemHtml(error: unknown): string {
  if (error instanceof ApiError && error.status === 403) {
    return `<p class="problem" role="alert">This key may not read this view: ${esc(error.detail)}</p>`;
  }
  if (error instanceof ApiError) return `<p class="problem" role="alert">The service answered ${error.status} ${esc(error.code)}: ${esc(error.detail)}</p>`;
  return `<p class="problem" role="alert">Could not draw this view: ${esc(error instanceof Error ? error.message : String(error))}</p>`;
}

/** At a past recording time the reports come from their as-recorded twins: say so. */
function recordingTimeNotice(controls: Controls): string {
  return controls.recordedBefore
    ? `<p class="notice">As recorded before ${esc(controls.recordedBefore)}: every patient projected from its stream as known then.</p>`
    : '';
}

/** A cohort report, from the report route or, at a past recording time, its as-recorded twin. */
function report<T>(name: 'survival' | 'cumulative-incidence' | 'adverse-events', params: Readonly<Record<string, ParamValue>>, controls: Controls): Promise<T> {
  const request = reportRequest(name, params, controls);
  return api<T>(request.path, request.params);
}

type ViewRenderer = (controls: Controls, v: View) => Promise<string>;

function axisOf(controls: Controls): SwimmerAxis {
  return (SWIMMER_AXES as readonly string[]).includes(controls.axis) ? (controls.axis as SwimmerAxis) : 'DAY0';
}

const VIEWS: Readonly<Record<View['name'], ViewRenderer>> = {
  async swimmer(controls) {
    const page = await api<SwimmerPage>('/v1/reports/swimmer', swimmerParams(controls));
    const svg = swimmerSvg(page.rows, { axis: axisOf(controls), asOf: page.asOf, recordedBefore: page.recordedBefore, offset: page.offset, total: page.total, interactive: true });
    const first = page.rows.length === 0 ? 0 : page.offset + 1;
    const pager = `<div class="pager">
      <button type="button" data-page="-1"${pageOffset(page.offset, page.limit, page.total, -1) === null ? ' disabled' : ''}>Previous page</button>
      <span id="page-info">Patients ${first}-${page.offset + page.rows.length} of ${page.total}</span>
      <button type="button" data-page="1"${pageOffset(page.offset, page.limit, page.total, 1) === null ? ' disabled' : ''}>Next page</button>
    </div>`;
    const known = page.recordedBefore ? `<p class="notice">As recorded before ${esc(page.recordedBefore)}: each patient is projected from its stream as known then.</p>` : '';
    const empty = page.rows.length === 0 ? '<p class="empty">No patient matches these filters.</p>' : '';
    return `<h2>Swimmer plot</h2>${known}<p>Tab to a patient's row, then Enter to open it; arrow keys move between rows. Hover a marker to see the event.</p>${pager}${empty}<div class="figure-box" id="swimmer-figure" data-total="${page.total}">${svg}</div>`;
  },

  async survival(controls) {
    const endpoints = ['OS', 'PFS', 'GRFS'] as const;
    const reports = await Promise.all(endpoints.map((e) => report<SurvivalReport>('survival', survivalParams(controls, e), controls)));
    const filters = filterParams(controls);
    const figures = reports.map(
      (r) => `<section class="curve" data-endpoint="${r.endpoint}"><div class="figure-box">${survivalSvg(r, filters)}</div>${milestoneTable(r)}</section>`,
    );
    return `<h2>Survival curves</h2>${recordingTimeNotice(controls)}${figures.join('')}`;
  },

  async incidence(controls) {
    const incidence = await report<CumulativeIncidenceReport>('cumulative-incidence', incidenceParams(controls), controls);
    return `<h2>Cumulative incidence of relapse and non-relapse mortality</h2>${recordingTimeNotice(controls)}<div class="figure-box">${cumulativeIncidenceSvg(incidence, filterParams(controls))}</div>`;
  },

  async 'adverse-events'(controls) {
    const ae = await report<AdverseEventReport>('adverse-events', filterParams(controls), controls);
    const p = ae.primaryEndpoint;
    const ci = p.incidence;
    const primary = `<p>Primary endpoint (treatment-related AE of grade 3 or worse in the day-100 window, as the report defines it): ${p.withEvent} of ${p.evaluable} evaluable patients${
      ci.estimate === null ? '' : ` (${pct(ci.estimate)}, exact 95% CI ${pct(ci.lower)} to ${pct(ci.upper)})`
    }.</p>`;
    return `<h2>Treatment-related adverse events by worst CTCAE grade</h2>${recordingTimeNotice(controls)}
      <p>As of ${esc(ae.asOf)}, ${ae.n} patient${ae.n === 1 ? '' : 's'} (${esc(filterWords(filterParams(controls)))}). Each cell: patients whose worst grade in the category and period is that grade, and their share of the period's denominator N. ${esc(ae.treatmentRelated.definition)}.</p>
      ${primary}<div id="heatmap">${aeHeatmapHtml(ae)}</div>`;
  },

  async patient(controls, v) {
    if (v.name !== 'patient') throw new Error('not a patient view');
    const record = await api<PatientRecord & { queries?: readonly DataQuery[] }>(`/v1/patients/${encodeURIComponent(v.subjectId)}`, patientParams(controls));
    const audit = await auditHtml(v.subjectId, controls);
    return patientHtml(record, controls) + audit;
  },
};

function pct(value: number | null): string {
  return value === null ? 'NE' : `${(value * 100).toFixed(1)}%`;
}

function milestoneTable(r: SurvivalReport): string {
  const rows = r.milestones
    .map((m) => `<tr><td>Day ${m.day}</td><td>${pct(m.survival)}</td><td>${pct(m.lower)} to ${pct(m.upper)}</td><td>${m.atRisk}</td></tr>`)
    .join('');
  return `<table class="milestones"><caption>${r.endpoint} milestones (median ${r.median.days === null ? 'not reached' : `${r.median.days} days`})</caption><thead><tr><th scope="col">Milestone</th><th scope="col">Estimate</th><th scope="col">95% CI</th><th scope="col">At risk</th></tr></thead><tbody>${rows}</tbody></table>`;
}

interface DataQuery {
  readonly code: string;
  readonly raisedOn: string;
  readonly eventIds: readonly string[];
  readonly question: string;
}

function table(caption: string, head: readonly string[], rows: readonly string[][], empty: string, attrs = ''): string {
  if (rows.length === 0) return `<h3>${esc(caption)}</h3><p class="empty">${esc(empty)}</p>`;
  return `<h3>${esc(caption)}</h3><table${attrs}><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const td = (value: unknown, className?: string) => `<td${className ? ` class="${esc(className)}"` : ''}>${esc(value === null || value === undefined ? '-' : String(value))}</td>`;

function patientHtml(record: PatientRecord & { queries?: readonly DataQuery[] }, controls: Controls): string {
  const row = swimmerRowOf(record);
  const axis: SwimmerAxis = record.day0 === null ? 'ENROLLMENT' : 'DAY0';
  const figure = swimmerSvg([row], { axis, asOf: record.asOf, recordedBefore: controls.recordedBefore || null, idPrefix: 'patient-timeline' });
  const pe = record.primaryEndpoint;
  const facts: [string, string][] = [
    ['Diagnosis', `${record.diagnosis.type}, ${record.diagnosis.status.toLowerCase()}${record.diagnosis.riskGroup ? `, ${record.diagnosis.riskGroup.toLowerCase()} risk` : ''}`],
    ['Enrolled', record.enrolledOn],
    ['Phase', `${PHASE_LABELS[record.phase]} (${record.phase})`],
    ['Day 0', record.day0 ?? 'none'],
    ['Day-100 window', record.day100Window.start ? `${record.day100Window.start} to ${record.day100Window.end} (${record.day100Window.status})` : record.day100Window.status],
    ['Primary endpoint', `${pe.status}${pe.reason ? ` (${pe.reason})` : ''}${pe.eventDate ? ` from ${pe.eventDate}` : ''}`],
    ['Graft failure', record.graftFailure ?? 'not applicable'],
    ['Last known alive', record.lastKnownAlive],
    ['Stream revision', String(record.revision)],
  ];
  const dayOf = (d: number | null) => (d === null ? '-' : dayLabel(d));
  const timeline = table(
    'Timeline',
    ['Date', 'Day', 'Phase', 'Event', 'Corrected by'],
    record.timeline.map((e) => [td(e.occurredOn), td(dayOf(e.day)), td(PHASE_LABELS[e.phase]), td(e.type), td(e.correctedBy.length > 0 ? e.correctedBy.join(', ') : '')]),
    'No events.',
    ' class="timeline"',
  );
  const visits = table(
    'Milestone visits',
    ['Visit', 'Due', 'Window', 'Status', 'Contact'],
    record.milestoneVisits.map((m) => [td(`Day +${m.day}`), td(m.due), td(`${m.windowFrom} to ${m.windowTo}`), td(m.status, `status-${m.status}`), td(m.contactOn)]),
    'No milestone visits before Day 0.',
    ' class="visits"',
  );
  const endpointRows = (label: string, endpoints: PatientRecord['endpoints']) =>
    endpoints === null
      ? []
      : (['OS', 'PFS', 'GRFS'] as const).map((code) => {
          const o = endpoints[code];
          return [td(`${code} ${label}`), td(o.event ? `event${o.eventType ? ` (${o.eventType})` : ''}` : 'censored'), td(o.date), td(o.days), td(o.milestones['365']), td(o.milestones['730'])];
        });
  const endpoints = table(
    'Endpoints',
    ['Endpoint', 'Status', 'Date', 'Days', 'Day 365', 'Day 730'],
    [...endpointRows('from Day 0', record.endpoints), ...endpointRows('from enrollment', record.endpointsFromEnrollment)],
    'No endpoints.',
    ' class="endpoints"',
  );
  const deviations = table(
    'Protocol deviations',
    ['Code', 'Date', 'Detail'],
    record.deviations.map((d) => [td(d.code), td(d.date), td(d.message)]),
    'No protocol deviations.',
    ' class="deviations"',
  );
  const queries =
    record.queries === undefined
      ? '<h3>Data queries</h3><p class="empty" id="queries-empty">This service does not report data queries on the record.</p>'
      : table(
          'Data queries',
          ['Code', 'Raised on', 'Events', 'Question'],
          record.queries.map((q) => [td(q.code), td(q.raisedOn), td(q.eventIds.join(', ')), td(q.question)]),
          'No open data queries.',
          ' class="queries"',
        );
  return `<p><a href="${routeHash({ name: 'swimmer' })}">Back to the swimmer plot</a></p>
    <h2>Patient ${esc(record.subjectId)}</h2>
    <dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
    <div class="figure-box" id="patient-figure">${figure}</div>
    ${timeline}${visits}${endpoints}${deviations}${queries}`;
}

interface AuditEvent {
  readonly eventId: string;
  readonly type: string;
  readonly occurredOn?: string;
  readonly data: { readonly targetEventId?: string; readonly reason?: string };
  readonly actor: { readonly keyId: string; readonly role: string };
  readonly recordedAt: string;
  readonly revision: number;
}

async function auditHtml(subjectId: string, controls: Controls): Promise<string> {
  let events: { events: readonly AuditEvent[]; headDigest: string | null };
  try {
    events = await api(`/v1/patients/${encodeURIComponent(subjectId)}/events`, { recordedBefore: controls.recordedBefore });
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      return `<h3>Audit trail</h3><p class="notice" id="audit-forbidden">The audit trail (every stored event, corrections and voids, who recorded them) needs a key with the auditor role; this key does not have it. ${esc(error.detail)}</p>`;
    }
    throw error;
  }
  const rows = events.events.map((e) => {
    const kind = e.type === 'EventCorrected' ? 'correction' : e.type === 'EventVoided' ? 'void' : '';
    const detail = kind ? `${kind === 'void' ? 'voids' : 'corrects'} ${e.data.targetEventId ?? '?'}: ${e.data.reason ?? ''}` : '';
    return { kind, cells: [td(e.revision), td(e.recordedAt), td(e.type), td(e.occurredOn ?? ''), td(`${e.actor.role} (${e.actor.keyId})`), td(detail)] };
  });
  if (rows.length === 0) return '<h3>Audit trail</h3><p class="empty">No events recorded before that instant.</p>';
  return `<h3>Audit trail</h3><p>${rows.length} stored events; head digest <code>${esc(events.headDigest ?? '-')}</code>.</p>
    <table class="audit"><thead><tr><th scope="col">Revision</th><th scope="col">Recorded at</th><th scope="col">Type</th><th scope="col">Occurred on</th><th scope="col">Recorded by</th><th scope="col">Correction or void</th></tr></thead>
    <tbody>${rows.map((r) => `<tr${r.kind ? ` class="${r.kind}"` : ''}>${r.cells.join('')}</tr>`).join('')}</tbody></table>`;
}

// ---- interaction ------------------------------------------------------------------------

function openPatient(subjectId: string): void {
  location.hash = routeHash({ name: 'patient', subjectId });
}

function wire(current: View): void {
  hideTooltip();
  if (current.name === 'swimmer') {
    const rows = Array.from(view.querySelectorAll<SVGGElement>('.swimmer-row'));
    rows.forEach((row, i) => {
      const subjectId = row.dataset.subject ?? '';
      row.addEventListener('click', () => openPatient(subjectId));
      row.addEventListener('keydown', (event) => {
        const move = (to: number) => {
          event.preventDefault();
          rows[Math.max(0, Math.min(rows.length - 1, to))]?.focus();
        };
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          openPatient(subjectId);
        } else if (event.key === 'ArrowDown') move(i + 1);
        else if (event.key === 'ArrowUp') move(i - 1);
        else if (event.key === 'Home') move(0);
        else if (event.key === 'End') move(rows.length - 1);
      });
    });
    for (const button of Array.from(view.querySelectorAll<HTMLButtonElement>('button[data-page]'))) {
      button.addEventListener('click', () => {
        const c = readControls();
        const total = Number(byId('swimmer-figure').dataset.total ?? '0');
        const next = pageOffset(Number(c.offset), Number(c.limit), total, button.dataset.page === '-1' ? -1 : 1);
        if (next === null) return;
        setControl('offset', String(next));
        void render();
      });
    }
  }
}

/** The hover text of a mark: its SVG <title>, shown at once beside the pointer. */
function showTooltip(target: Element, x: number, y: number): void {
  const mark = target.closest('.marker, .phase, .ongoing, .censor');
  const text = mark?.querySelector(':scope > title')?.textContent;
  if (!mark || !text) {
    hideTooltip();
    return;
  }
  tooltip.textContent = text;
  tooltip.hidden = false;
  tooltip.style.left = `${x + 14}px`;
  tooltip.style.top = `${y + 14}px`;
}

function hideTooltip(): void {
  tooltip.hidden = true;
}

view.addEventListener('mouseover', (event) => showTooltip(event.target as Element, event.clientX, event.clientY));
view.addEventListener('mousemove', (event) => {
  if (!tooltip.hidden) {
    tooltip.style.left = `${event.clientX + 14}px`;
    tooltip.style.top = `${event.clientY + 14}px`;
  }
});
view.addEventListener('mouseleave', hideTooltip);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') hideTooltip();
});

window.addEventListener('hashchange', () => {
  void render().then(() => view.focus());
});

if (sessionStorage.getItem(KEY_STORAGE) === null) showKeyForm('');
else startApp();
