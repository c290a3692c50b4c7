/**
 * Lists and reports come from the read model, which follows the event log. While it is
 * behind (a rebuild, a catch-up) their answers say so, and a client may ask to wait for
 * it. A rebuild is held mid-way by stopping the projector right after it began, so the
 * read model stays behind for as long as the test needs. Synthetic data only.
 */
import { enrolled } from '../src/domain/testing/journey.fixtures';
import { PatientProjector } from '../src/projections/patient.projector';
import { startTestApp, type TestApp } from './support/test-app';

const SUBJECTS = ['SYN-RM-001', 'SYN-RM-002', 'SYN-RM-003'];

/** Given three enrolled patients, folded into the read model; returns the log's head. */
async function givenThreePatients(t: TestApp): Promise<number> {
  let head = -1;
  for (const subjectId of SUBJECTS) {
    const response = await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: enrolled('2026-01-05') });
    expect(response.status).toBe(201);
    head = response.body.events[0].position;
  }
  await t.app.get(PatientProjector).catchUp();
  return head;
}

/** A rebuild that has dropped the rows and is held before it folds anything. */
function holdARebuild(t: TestApp): void {
  const projector = t.app.get(PatientProjector);
  void projector.rebuild();
  projector.stop();
}

const ROUTES = [
  '/v1/patients',
  '/v1/reports/survival?endpoint=OS&origin=ENROLLMENT',
  '/v1/reports/cumulative-incidence?origin=ENROLLMENT',
  '/v1/reports/adverse-events',
  '/v1/reports/exports/adtte?format=json&origin=ENROLLMENT',
  '/v1/reports/exports/ae?format=json',
];

describe('answers from the read model say how current they are', () => {
  let t: TestApp;
  let head: number;
  beforeAll(async () => {
    t = await startTestApp({ env: { READ_MODEL_WAIT_MS: '0' } });
    head = await givenThreePatients(t);
  });
  afterAll(() => t.close());

  it.each(ROUTES)('%s, caught up: readModel and X-Read-Model say so', async (url) => {
    const response = await t.request({ method: 'GET', url, role: 'reporter' });

    expect(response.status).toBe(200);
    expect(response.body.readModel).toEqual({ caughtUp: true, position: head, head });
    expect(response.headers['x-read-model']).toBe(`caught-up; position=${head}; head=${head}`);
  });

  it('a CSV export carries the header alone, its body untouched', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/reports/exports/adtte?origin=ENROLLMENT', role: 'reporter' });

    expect(response.status).toBe(200);
    expect(response.headers['x-read-model']).toBe(`caught-up; position=${head}; head=${head}`);
    expect(String(response.body).startsWith('STUDYID,')).toBe(true);
  });

  describe('during a rebuild', () => {
    beforeAll(() => holdARebuild(t));
    afterAll(() => t.app.get(PatientProjector).rebuild());

    it.each(ROUTES)('%s answers 200 saying it is behind, not an answer that looks complete', async (url) => {
      const response = await t.request({ method: 'GET', url, role: 'reporter' });

      expect(response.status).toBe(200);
      expect(response.body.readModel).toEqual({ caughtUp: false, position: null, head });
      expect(response.headers['x-read-model']).toBe(`behind; position=none; head=${head}`);
    });

    it('the list is the one of a read model being rebuilt (empty), and says so', async () => {
      const response = await t.request({ method: 'GET', url: '/v1/patients', role: 'reporter' });

      expect(response.body).toMatchObject({ total: 0, readModel: { caughtUp: false } });
    });

    it.each(ROUTES)('%s with consistency=wait is 503 READ_MODEL_BEHIND with Retry-After once the wait is over', async (url) => {
      const response = await t.request({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}consistency=wait`, role: 'reporter' });

      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ code: 'READ_MODEL_BEHIND', readModel: { caughtUp: false, position: null, head } });
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['x-read-model']).toBe(`behind; position=none; head=${head}`);
    });
  });

  it('refuses a consistency it does not know, naming it', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/patients?consistency=strong', role: 'reporter' });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'consistency' })]);
  });
});

describe('consistency=wait', () => {
  let t: TestApp;
  let head: number;
  beforeAll(async () => {
    t = await startTestApp({ env: { READ_MODEL_WAIT_MS: '30000' } });
    head = await givenThreePatients(t);
  });
  afterAll(() => t.close());

  it('waits while a rebuild runs, then answers the whole cohort, caught up', async () => {
    // Given a rebuild held mid-way
    holdARebuild(t);

    // When a client asks to wait, and the rebuild then goes on to the end
    const answer = t.request({ method: 'GET', url: '/v1/reports/survival?endpoint=OS&origin=ENROLLMENT&consistency=wait', role: 'reporter' });
    const list = t.request({ method: 'GET', url: '/v1/patients?consistency=wait', role: 'reporter' });
    await t.app.get(PatientProjector).rebuild();

    // Then both answers hold every patient, and say they are caught up
    const [survival, patients] = await Promise.all([answer, list]);
    expect(survival.status).toBe(200);
    expect(survival.body).toMatchObject({ n: SUBJECTS.length, readModel: { caughtUp: true, position: head, head } });
    expect(patients.body).toMatchObject({ total: SUBJECTS.length, readModel: { caughtUp: true, position: head, head } });
    expect(patients.headers['x-read-model']).toBe(`caught-up; position=${head}; head=${head}`);
  });

  it('says how far behind it is when events were stored since the last fold, and waits for them', async () => {
    // Given a projector that has stopped following the log, and one more patient stored
    const projector = t.app.get(PatientProjector);
    projector.stop();
    const stored = await t.request({ method: 'POST', url: '/v1/patients/SYN-RM-004/events', role: 'emitter', body: enrolled('2026-01-05') });
    const newHead = stored.body.events[0].position as number;

    // When the list is asked without waiting, and with
    const now = await t.request({ method: 'GET', url: '/v1/patients', role: 'reporter' });
    const waited = t.request({ method: 'GET', url: '/v1/patients?consistency=wait', role: 'reporter' });
    await projector.rebuild();

    // Then the first says what it holds and what it lacks, the second holds the new patient
    expect(now.body).toMatchObject({ total: SUBJECTS.length, readModel: { caughtUp: false, position: head, head: newHead } });
    expect(now.headers['x-read-model']).toBe(`behind; position=${head}; head=${newHead}`);
    expect((await waited).body).toMatchObject({ total: SUBJECTS.length + 1, readModel: { caughtUp: true, position: newHead, head: newHead } });
  });
});
