/**
 * The web page in headless Chromium against the whole service listening on a local port,
 * with the five synthetic patients of `npm run seed`: what a person sees, read off the page.
 * Screenshots go to test/artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SYNTHETIC_PATIENTS } from '../scripts/synthetic-patients';
import type { Role } from '../src/common/config/app-config';
import { startTestApp, TEST_KEYS, type TestApp } from './support/test-app';
import { AS_OF, beforePatient, loadSyntheticCohort } from './ui-support/cohort';

// The callbacks given to page.evaluate run in the page, not in Node: the DOM names they use,
// declared for this file only (the project's compiler options carry no DOM library).
declare const document: any;
declare const sessionStorage: any;
declare const localStorage: any;
declare const location: any;
type Element = any;

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');
const { buildPage, SOURCE } = require('../tools/build-ui.js') as { buildPage: (dir: string) => Promise<void>; SOURCE: string };

const describeInChromium = existsSync(CHROMIUM) ? describe : describe.skip;
const suffix = existsSync(CHROMIUM) ? '' : ` (skipped: no chromium at ${CHROMIUM}; .ci/run installs it)`;

describeInChromium(`the web page at /ui in headless Chromium${suffix}`, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The page's bundle beside its sources, where the module serves it from when run by jest.
    await buildPage(SOURCE);
    t = await startTestApp({ now: '2026-12-01T09:00:00.000Z' });
    await loadSyntheticCohort(t);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A new tab on a view, the key pasted into the form the page shows, and the first drawing done. */
  async function openWith(role: Role, hash = '#/swimmer'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/ui/${hash}`);
    await page.getByLabel('API key').fill(TEST_KEYS[role]);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.waitForSelector('#view[data-state="ready"]');
    return page;
  }

  /** Does something that redraws, and waits for the next drawing to be on the page. */
  async function redraw(page: Page, action: () => Promise<unknown>): Promise<void> {
    const before = Number((await page.getAttribute('#view', 'data-render')) ?? '0');
    await action();
    await page.waitForFunction((n) => {
      const view = document.getElementById('view')!;
      return view.dataset.state === 'ready' && Number(view.dataset.render) > n;
    }, before);
  }

  async function apiGet(url: string) {
    const response = await t.request({ method: 'GET', url, role: 'reporter' });
    expect(response.status).toBe(200);
    return response.body;
  }

  async function setAsOf(page: Page, date: string) {
    await redraw(page, () => page.fill('#asOf', date));
  }

  it('given no key yet, then the page asks for one and keeps it for the tab only (sessionStorage, never localStorage)', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/ui`);
    expect(page.url()).toBe(`${base}/ui/`);
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
    await expect(page.locator('#app').isHidden()).resolves.toBe(true);
    await page.getByLabel('API key').fill(TEST_KEYS.reporter);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view[data-state="ready"]');
    const storage = await page.evaluate(() => ({ session: sessionStorage.getItem('timeline.apiKey'), local: localStorage.length }));
    expect(storage).toEqual({ session: TEST_KEYS.reporter, local: 0 });
    // A wrong key sends the person back to the form with the service's reason.
    await page.evaluate(() => sessionStorage.setItem('timeline.apiKey', 'not-a-known-key-000000'));
    await page.evaluate(() => {
      location.hash = '#/survival';
    });
    await page.waitForSelector('#key-form:not([hidden])');
    await expect(page.locator('#key-message').textContent()).resolves.toContain('The API key is not known');
    await page.close();
  });

  it('given the synthetic cohort, then the swimmer plot has one bar per patient, markers on their days, the arrow for those on study and a full legend', async () => {
    const page = await openWith('reporter');
    await setAsOf(page, AS_OF);
    const rows = page.locator('.swimmer-row');
    await expect(rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-subject')))).resolves.toEqual(SYNTHETIC_PATIENTS.map((p) => p.subjectId));
    await expect(page.locator('#page-info').textContent()).resolves.toBe('Patients 1-5 of 5');

    // Where the eye sees SYN-001's acute GVHD: 35 days right of Day 0, on the axis's own scale.
    const x = await page.evaluate(() => {
      const centre = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.left + r.width / 2;
      };
      const tick = (day: number) => document.querySelector(`#swimmer-figure .tick[data-day="${day}"] line`)!;
      const row = document.querySelector('.swimmer-row[data-subject="SYN-001"]')!;
      const marker = (kind: string) => row.querySelector(`.marker[data-kind="${kind}"]`)!;
      const ticks = [...document.querySelectorAll('#swimmer-figure .tick')].map((t) => Number(t.getAttribute('data-day')));
      const step = ticks[1] - ticks[0];
      return { zero: centre(tick(0)), step, next: centre(tick(step)), day0: marker('DAY0').getBoundingClientRect(), ae: marker('AE').getBoundingClientRect() };
    });
    const pxPerDay = (x.next - x.zero) / x.step;
    expect(x.day0.left + x.day0.width / 2).toBeCloseTo(x.zero, 0);
    expect(x.ae.left + x.ae.width / 2).toBeCloseTo(x.zero + 35 * pxPerDay, 0);

    // Still on study: SYN-001, SYN-002, SYN-004; SYN-003 died, SYN-005 withdrew before Day 0.
    const ongoing = await page.locator('.swimmer-row:has(.ongoing)').evaluateAll((els) => els.map((e) => e.getAttribute('data-subject')));
    expect(ongoing).toEqual(['SYN-001', 'SYN-002', 'SYN-004']);
    await expect(page.locator('.swimmer-row[data-subject="SYN-003"] .marker[data-kind="DEATH"]').getAttribute('data-day')).resolves.toBe('50');
    await expect(page.locator('.swimmer-row[data-subject="SYN-005"] .no-day0').isVisible()).resolves.toBe(true);

    const legend = await page.locator('#swimmer-figure .legend-label').allTextContents();
    expect(legend).toEqual(
      expect.arrayContaining(['Bridging chemotherapy', 'Early post-transplant', 'Acute GVHD', 'Infection', 'Grade 1', 'Grade 5', 'Day 0 (stem cell infusion)', 'Relapse', 'Death', 'Withdrawal', 'Still on study', 'Day-100 window']),
    );

    // Hovering a marker shows the event.
    await page.locator('.swimmer-row[data-subject="SYN-001"] .marker[data-kind="AE"]').hover();
    await expect(page.locator('#tooltip').textContent()).resolves.toContain('SYN-001: AE AE-1: Acute GVHD of skin (Acute GVHD), worst CTCAE grade 3');

    // The calendar toggle puts Day 0 on its date.
    await redraw(page, () => page.getByLabel('Calendar dates').check());
    await expect(page.locator('.swimmer-row[data-subject="SYN-001"] .marker[data-kind="DAY0"]').getAttribute('data-date')).resolves.toBe('2026-02-10');
    await expect(page.locator('#swimmer-figure').textContent()).resolves.toContain('Calendar date');
    await redraw(page, () => page.getByLabel('Day 0 aligned').check());
    await page.locator('#swimmer-figure svg').screenshot({ path: join(ARTIFACTS, 'swimmer.png') });

    // A click on a bar opens that patient.
    await redraw(page, () => page.locator('.swimmer-row[data-subject="SYN-004"] rect.phase').first().click());
    await expect(page.locator('#view h2').textContent()).resolves.toBe('Patient SYN-004');
    await page.close();
  });

  it('given the keyboard alone, then a person reaches the rows, moves between them and opens a patient', async () => {
    const page = await openWith('reporter');
    await setAsOf(page, AS_OF);
    let focused = '';
    for (let presses = 0; presses < 80 && !focused; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-subject') ?? '');
    }
    expect(focused).toBe('SYN-001');
    await page.keyboard.press('ArrowDown');
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-subject'))).resolves.toBe('SYN-002');
    await redraw(page, () => page.keyboard.press('Enter'));
    await expect(page.locator('#view h2').textContent()).resolves.toBe('Patient SYN-002');
    expect(page.url()).toContain('#/patient/SYN-002');
    await page.close();
  });

  it('given a change of asOf, then the swimmer plot is redrawn as it was on that date', async () => {
    const page = await openWith('reporter');
    await setAsOf(page, AS_OF);
    await expect(page.locator('.swimmer-row').count()).resolves.toBe(5);
    await setAsOf(page, '2026-03-01');
    const list = await apiGet('/v1/patients?asOf=2026-03-01');
    const drawn = await page.locator('.swimmer-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-subject')));
    expect(drawn).toEqual(list.items.map((i: { subjectId: string }) => i.subjectId));
    expect(drawn).toEqual(['SYN-001', 'SYN-002', 'SYN-003']);
    // SYN-003's Day 0 (2026-04-01) and death have not happened yet: on the Day 0 axis it has no place, and says so.
    await expect(page.locator('.swimmer-row[data-subject="SYN-003"] .no-day0').textContent()).resolves.toContain('No Day 0: still on study');
    await redraw(page, () => page.getByLabel('Days from enrollment').check());
    await expect(page.locator('.swimmer-row[data-subject="SYN-003"] .marker[data-kind="DEATH"]').count()).resolves.toBe(0);
    await expect(page.locator('.swimmer-row[data-subject="SYN-003"] .ongoing').count()).resolves.toBe(1);
    await expect(page.locator('#swimmer-figure').textContent()).resolves.toContain('Data cut-off (as of) 2026-03-01');
    await page.close();
  });

  it('given an auditor stepping back in recording time, then patients appear one by one as they were recorded', async () => {
    const page = await openWith('admin');
    await setAsOf(page, AS_OF);
    await page.fill('#recordedBefore', beforePatient(2));
    await redraw(page, () => page.press('#recordedBefore', 'Enter'));
    await expect(page.locator('.swimmer-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-subject')))).resolves.toEqual(['SYN-001', 'SYN-002']);
    await redraw(page, () => page.getByRole('button', { name: 'One day later in recording time' }).click());
    await expect(page.locator('.swimmer-row').count()).resolves.toBe(3);
    await redraw(page, () => page.getByRole('button', { name: 'One day earlier in recording time' }).click());
    await redraw(page, () => page.getByRole('button', { name: 'One day earlier in recording time' }).click());
    await expect(page.locator('.swimmer-row').count()).resolves.toBe(1);
    // The curves and the heatmap step back with it.
    await redraw(page, () => page.getByRole('link', { name: 'Survival' }).click());
    await expect(page.locator('section.curve[data-endpoint="OS"] .legend-label').first().textContent()).resolves.toMatch(/^OS \(n=1, /);
    await expect(page.locator('#view .notice').textContent()).resolves.toContain(`As recorded before ${beforePatient(1)}`);
    await redraw(page, () => page.getByRole('link', { name: 'Adverse events' }).click());
    await expect(page.locator('#view').textContent()).resolves.toContain('As of 2026-11-25, 1 patient (');
    await redraw(page, () => page.getByRole('button', { name: 'Now' }).click());
    await expect(page.locator('#view').textContent()).resolves.toContain('As of 2026-11-25, 5 patients (');
    await redraw(page, () => page.getByRole('link', { name: 'Swimmer plot' }).click());
    await expect(page.locator('.swimmer-row').count()).resolves.toBe(5);
    await page.close();
  });

  it('given the survival view, then each curve\'s number-at-risk row equals the report API\'s counts, with the legend and the median', async () => {
    const page = await openWith('reporter', '#/survival');
    await setAsOf(page, AS_OF);
    for (const endpoint of ['OS', 'PFS', 'GRFS']) {
      const report = await apiGet(`/v1/reports/survival?endpoint=${endpoint}&asOf=${AS_OF}`);
      const section = page.locator(`section.curve[data-endpoint="${endpoint}"]`);
      const cells = await section.locator('.at-risk text[data-at-risk]').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-day')), Number(e.textContent)]));
      expect(cells.length).toBeGreaterThan(2);
      for (const [day, shown] of cells) {
        const atRisk = report.steps.filter((s: { day: number }) => s.day >= day).reduce((n: number, s: { events: number; censored: number }) => n + s.events + s.censored, 0);
        expect(shown).toBe(atRisk);
      }
      const events = `${report.events} event${report.events === 1 ? '' : 's'}`;
      await expect(section.locator('.legend-label').allTextContents()).resolves.toEqual([`${endpoint} (n=${report.n}, ${events})`, 'Censored']);
      const milestones = await section.locator('table.milestones tbody tr td:last-child').allTextContents();
      expect(milestones.map(Number)).toEqual(report.milestones.map((m: { atRisk: number }) => m.atRisk));
    }
    await expect(page.locator('section.curve[data-endpoint="GRFS"] .median').getAttribute('data-day')).resolves.toBe('50');
    await page.locator('section.curve[data-endpoint="OS"] svg').screenshot({ path: join(ARTIFACTS, 'survival-os.png') });
    await page.locator('section.curve[data-endpoint="GRFS"] svg').screenshot({ path: join(ARTIFACTS, 'survival-grfs.png') });

    await redraw(page, () => page.getByRole('link', { name: 'Relapse and NRM' }).click());
    const ci = await apiGet(`/v1/reports/cumulative-incidence?asOf=${AS_OF}`);
    const events = (n: number) => `${n} event${n === 1 ? '' : 's'}`;
    // No censor marks on incidence curves, so no such legend entry either.
    await expect(page.locator('.cumulative-incidence .legend-label').allTextContents()).resolves.toEqual([
      `Relapse (${events(ci.relapse.events)})`,
      `Non-relapse mortality (${events(ci.nonRelapseMortality.events)})`,
    ]);
    await expect(page.locator('.at-risk text[data-day="0"]').textContent()).resolves.toBe(String(ci.n));
    await page.locator('.cumulative-incidence').screenshot({ path: join(ARTIFACTS, 'cumulative-incidence.png') });
    await page.close();
  });

  it('given the AE view, then there is a heatmap per period the report returns, each with its denominator', async () => {
    const page = await openWith('reporter', '#/adverse-events');
    await setAsOf(page, AS_OF);
    const report = await apiGet(`/v1/reports/adverse-events?asOf=${AS_OF}`);
    const tables = await page.locator('table.heatmap').evaluateAll((els) => els.map((e) => [e.getAttribute('data-period'), Number(e.getAttribute('data-denominator'))]));
    expect(tables).toEqual(report.treatmentRelated.periods.map((p: { period: string; denominator: { patients: number } }) => [p.period, p.denominator.patients]));
    const window = report.treatmentRelated.periods.find((p: { period: string }) => p.period === 'DAY100_WINDOW');
    const gvhd = window.byCategory.find((c: { category: string }) => c.category === 'ACUTE_GVHD');
    await expect(page.locator('table.heatmap[data-period="DAY100_WINDOW"] tr[data-category="ACUTE_GVHD"] td[data-grade="any"]').getAttribute('data-count')).resolves.toBe(String(gvhd.patients));
    await expect(page.locator('table.heatmap[data-period="DAY100_WINDOW"] caption').textContent()).resolves.toContain(`N = ${window.denominator.patients}`);
    await page.locator('#heatmap').screenshot({ path: join(ARTIFACTS, 'ae-heatmap.png') });
    await page.close();
  });

  it('given a patient page, then a reporter sees the timeline, visits, endpoints and deviations, and is told the audit trail needs the auditor role', async () => {
    const page = await openWith('reporter', '#/patient/SYN-002');
    await setAsOf(page, AS_OF);
    await expect(page.locator('#view h2').textContent()).resolves.toBe('Patient SYN-002');
    await expect(page.locator('#patient-figure .swimmer-row').count()).resolves.toBe(1);
    await expect(page.locator('table.visits .status-OVERDUE').allTextContents()).resolves.toEqual(['OVERDUE']);
    await expect(page.locator('table.deviations').textContent()).resolves.toContain('MILESTONE_VISIT_OVERDUE');
    await expect(page.locator('table.endpoints').textContent()).resolves.toContain('PFS from Day 0');
    await expect(page.locator('#audit-forbidden').textContent()).resolves.toContain('needs a key with the auditor role');
    // Queries: the record carries none on this branch; the page says so instead of drawing an empty table.
    await expect(page.locator('#queries-empty, table.queries, h3:text("Data queries") + p.empty').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'patient-reporter.png'), fullPage: true });
    await page.close();
  });

  it('given an admin key, then the patient page shows the audit trail with its void', async () => {
    const page = await openWith('admin', '#/patient/SYN-001');
    const rows = page.locator('table.audit tbody tr');
    await expect(rows.count()).resolves.toBe(SYNTHETIC_PATIENTS[0].events.length);
    await expect(page.locator('table.audit tr.void').textContent()).resolves.toContain('Entered twice by the site');
    await page.close();
  });
});
