import fc from 'fast-check';
import { daysBetween } from '../domain/calendar/clinical-date';
import { aeReported, aeUpdated, arbJourney, chemoStarted, conditioningStarted, died, enrolled, followUp, gpbmcInfused, relapsed, stemCellsInfused } from '../domain/testing/journey.fixtures';
import { ADTTE_COLUMNS, buildAdtte, paramName } from './adtte';
import { toCsv } from './csv';
import { recordOf } from './testing/report.fixtures';

const ASOF = '2026-12-31';
const transplantedOn = (day0: string) => [enrolled('2026-01-05'), chemoStarted('2026-01-06'), gpbmcInfused('2026-01-15'), conditioningStarted('2026-01-25'), stemCellsInfused(day0)];

describe('buildAdtte', () => {
  it('given a patient who relapsed then died, writes OS and PFS events with their dates and days from Day 0', () => {
    const record = recordOf('SYN-001', [...transplantedOn('2026-02-01'), relapsed('2026-05-01'), died('2026-06-10')], ASOF);

    const { rows } = buildAdtte([record], 'TRANSPLANT');

    expect(rows).toEqual([
      { STUDYID: 'NCT07297173', USUBJID: 'NCT07297173-SYN-001', PARAMCD: 'OS', PARAM: 'Overall Survival (days from Day 0)', STARTDT: '2026-02-01', ADT: '2026-06-10', AVAL: 129, CNSR: 0, EVNTDESC: 'DEATH', CNSDTDSC: null },
      { STUDYID: 'NCT07297173', USUBJID: 'NCT07297173-SYN-001', PARAMCD: 'PFS', PARAM: 'Progression-Free Survival (days from Day 0)', STARTDT: '2026-02-01', ADT: '2026-05-01', AVAL: 89, CNSR: 0, EVNTDESC: 'RELAPSE OR PROGRESSION', CNSDTDSC: null },
      { STUDYID: 'NCT07297173', USUBJID: 'NCT07297173-SYN-001', PARAMCD: 'GRFS', PARAM: 'GVHD-free, Relapse-free Survival (days from Day 0)', STARTDT: '2026-02-01', ADT: '2026-05-01', AVAL: 89, CNSR: 0, EVNTDESC: 'RELAPSE OR PROGRESSION', CNSDTDSC: null },
    ]);
  });

  it('given a patient alive and event-free, censors every endpoint at the last date known alive', () => {
    const record = recordOf('SYN-002', [...transplantedOn('2026-02-01'), followUp('2026-08-01')], ASOF);

    const { rows } = buildAdtte([record], 'TRANSPLANT');

    expect(rows.map((r) => [r.PARAMCD, r.ADT, r.AVAL, r.CNSR, r.EVNTDESC, r.CNSDTDSC])).toEqual([
      ['OS', '2026-08-01', 181, 1, null, 'LAST DOCUMENTED CONTACT'],
      ['PFS', '2026-08-01', 181, 1, null, 'LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL'],
      ['GRFS', '2026-08-01', 181, 1, null, 'LAST DOCUMENTED CONTACT ON OR BEFORE WITHDRAWAL'],
    ]);
  });

  it('given acute GVHD worsening to grade III, writes the GRFS event on the day it reached grade III', () => {
    const record = recordOf('SYN-003', [
      ...transplantedOn('2026-02-01'),
      aeReported('2026-02-20', { aeId: 'AE-1', term: 'Acute GVHD of skin', category: 'ACUTE_GVHD', gvhdGrade: 'II', ctcaeGrade: 2, attribution: 'PROBABLE' }),
      aeUpdated('2026-03-03', 'AE-1', { gvhdGrade: 'III', ctcaeGrade: 3 }),
      followUp('2026-06-01'),
    ], ASOF);

    const grfs = buildAdtte([record], 'TRANSPLANT').rows.find((r) => r.PARAMCD === 'GRFS');

    expect(grfs).toMatchObject({ ADT: '2026-03-03', AVAL: 30, CNSR: 0, EVNTDESC: 'ACUTE GVHD GRADE III-IV', CNSDTDSC: null });
  });

  it('given a patient without Day 0, writes no rows from Day 0 but three from enrollment', () => {
    const record = recordOf('SYN-004', [enrolled('2026-01-05'), chemoStarted('2026-01-06'), died('2026-01-25')], ASOF);

    expect(buildAdtte([record], 'TRANSPLANT').rows).toEqual([]);
    const fromEnrollment = buildAdtte([record], 'ENROLLMENT').rows;
    expect(fromEnrollment.map((r) => [r.PARAMCD, r.PARAM, r.STARTDT, r.ADT, r.AVAL, r.CNSR])).toEqual([
      ['OS', 'Overall Survival (days from enrollment)', '2026-01-05', '2026-01-25', 20, 0],
      ['PFS', 'Progression-Free Survival (days from enrollment)', '2026-01-05', '2026-01-25', 20, 0],
      ['GRFS', 'GVHD-free, Relapse-free Survival (days from enrollment)', '2026-01-05', '2026-01-25', 20, 0],
    ]);
  });

  it('given patients in any order, writes them in USUBJID order, OS, PFS, GRFS within each', () => {
    const b = recordOf('SYN-B', transplantedOn('2026-02-01'), ASOF);
    const a = recordOf('SYN-A', transplantedOn('2026-02-03'), ASOF);

    const rows = buildAdtte([b, a], 'TRANSPLANT').rows;

    expect(rows.map((r) => `${r.USUBJID}/${r.PARAMCD}`)).toEqual([
      'NCT07297173-SYN-A/OS', 'NCT07297173-SYN-A/PFS', 'NCT07297173-SYN-A/GRFS',
      'NCT07297173-SYN-B/OS', 'NCT07297173-SYN-B/PFS', 'NCT07297173-SYN-B/GRFS',
    ]);
  });

  it('given an empty cohort, writes the header alone', () => {
    expect(toCsv(buildAdtte([], 'TRANSPLANT'))).toBe(`${ADTTE_COLUMNS.join(',')}\r\n`);
  });

  it.each([
    ['OS', 'TRANSPLANT', 'Overall Survival (days from Day 0)'],
    ['GRFS', 'ENROLLMENT', 'GVHD-free, Relapse-free Survival (days from enrollment)'],
  ] as const)('names %s from %s "%s"', (code, origin, expected) => {
    expect(paramName(code, origin)).toBe(expected);
  });

  it('for any journey: AVAL = ADT - STARTDT >= 0, CNSR 0 exactly with EVNTDESC, 1 exactly with CNSDTDSC (property)', () => {
    fc.assert(
      fc.property(arbJourney({ from: '2025-01-01', to: '2027-06-30' }), fc.constantFrom('TRANSPLANT' as const, 'ENROLLMENT' as const), (journey, origin) => {
        const record = recordOf('SYN-P', journey.events, '2027-06-30');
        const rows = buildAdtte([record], origin).rows;
        expect(rows).toHaveLength(origin === 'ENROLLMENT' || record.day0 !== null ? 3 : 0);
        for (const row of rows) {
          expect(row.AVAL).toBe(daysBetween(row.STARTDT, row.ADT));
          expect(row.AVAL).toBeGreaterThanOrEqual(0);
          expect(row.CNSR === 0).toBe(row.EVNTDESC !== null);
          expect(row.CNSR === 1).toBe(row.CNSDTDSC !== null);
        }
      }),
      { numRuns: 200 },
    );
  });
});
