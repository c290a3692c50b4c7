import { aeReported, aeUpdated, chemoStarted, conditioningStarted, enrolled, gpbmcInfused, stemCellsInfused } from '../domain/testing/journey.fixtures';
import { toCsv } from './csv';
import { recordOf } from './testing/report.fixtures';
import { AE_COLUMNS, buildAeDataset } from './sdtm-ae';

const ASOF = '2026-12-31';
const journeyTo = (day0: string) => [enrolled('2026-01-05'), chemoStarted('2026-01-06'), gpbmcInfused('2026-01-15'), conditioningStarted('2026-01-25'), stemCellsInfused(day0)];

describe('buildAeDataset', () => {
  it('given AEs reported out of onset order, numbers them per subject in onset order with their period and day from Day 0', () => {
    const record = recordOf('SYN-001', [
      ...journeyTo('2026-02-01'),
      aeReported('2026-06-01', { aeId: 'AE-3', term: 'Chronic GVHD of the mouth', category: 'CHRONIC_GVHD', gvhdGrade: 'MILD', ctcaeGrade: 1, serious: false, attribution: 'UNLIKELY' }),
      aeReported('2026-01-10', { aeId: 'AE-1', term: 'Febrile neutropenia', category: 'HEMATOLOGICAL_TOXICITY', ctcaeGrade: 3, serious: true, attribution: 'POSSIBLE' }),
      aeReported('2026-05-12', { aeId: 'AE-2', term: 'CMV reactivation', category: 'INFECTION', ctcaeGrade: 2, serious: false, attribution: 'UNRELATED' }),
      aeReported('2026-01-28', { aeId: 'AE-4', term: 'Mucositis', category: 'OTHER', ctcaeGrade: 2, serious: false, attribution: 'PROBABLE' }),
    ], ASOF);

    const { rows } = buildAeDataset([record]);

    expect(rows.map((r) => [r.AESEQ, r.AESPID, r.AESTDTC, r.AESTD0DY, r.EPOCH, r.AERELFL, r.AESER])).toEqual([
      [1, 'AE-1', '2026-01-10', -22, 'BRIDGING', 'Y', 'Y'],
      // Conditioning started on 2026-01-25: from then to Day -1 is the CONDITIONING epoch.
      [2, 'AE-4', '2026-01-28', -4, 'CONDITIONING', 'Y', 'N'],
      [3, 'AE-2', '2026-05-12', 100, 'DAY100_WINDOW', 'N', 'N'],
      [4, 'AE-3', '2026-06-01', 120, 'LATER', 'Y', 'N'],
    ]);
  });

  it('given an AE that worsened then resolved, writes its worst grade, the attribution in force and the resolution date', () => {
    const record = recordOf('SYN-002', [
      ...journeyTo('2026-02-01'),
      aeReported('2026-02-10', { aeId: 'AE-1', term: 'Acute kidney injury', category: 'ORGAN_DYSFUNCTION', ctcaeGrade: 2, serious: false, attribution: 'UNLIKELY' }),
      aeUpdated('2026-02-14', 'AE-1', { ctcaeGrade: 4, attribution: 'PROBABLE' }),
      aeUpdated('2026-03-01', 'AE-1', { ctcaeGrade: 1, resolvedOn: '2026-03-01' }),
    ], ASOF);

    expect(buildAeDataset([record]).rows).toEqual([{
      STUDYID: 'NCT07297173', DOMAIN: 'AE', USUBJID: 'NCT07297173-SYN-002', AESEQ: 1, AESPID: 'AE-1', AETERM: 'Acute kidney injury',
      AECAT: 'ORGAN_DYSFUNCTION', AETOXGR: 4, AEREL: 'PROBABLE', AERELFL: 'Y', AESER: 'N', AESTDTC: '2026-02-10', AEENDTC: '2026-03-01',
      AESTD0DY: 9, EPOCH: 'DAY100_WINDOW', AETOXGRW: 4,
    }]);
  });

  it('given an AE of onset on Day +90 that worsens after Day +100, writes the worst grade ever and, apart, the grade of the window', () => {
    const record = recordOf('SYN-004', [
      ...journeyTo('2026-02-01'),
      aeReported('2026-05-02', { aeId: 'AE-1', term: 'Pneumonia', category: 'INFECTION', ctcaeGrade: 1, serious: false, attribution: 'POSSIBLE' }),
      aeUpdated('2026-07-01', 'AE-1', { ctcaeGrade: 4 }),
    ], ASOF);

    expect(buildAeDataset([record]).rows.map((r) => [r.AESTD0DY, r.EPOCH, r.AETOXGR, r.AETOXGRW])).toEqual([[90, 'DAY100_WINDOW', 4, 1]]);
  });

  it('given a patient without Day 0, leaves the day from Day 0 empty and calls the period BRIDGING', () => {
    const record = recordOf('SYN-003', [enrolled('2026-01-05'), aeReported('2026-01-20', { aeId: 'AE-1', term: 'Mucositis, oral', category: 'OTHER' })], ASOF);

    const csv = toCsv(buildAeDataset([record]));

    expect(csv.split('\r\n')).toEqual([
      AE_COLUMNS.join(','),
      'NCT07297173,AE,NCT07297173-SYN-003,1,AE-1,"Mucositis, oral",OTHER,3,POSSIBLE,Y,Y,2026-01-20,,,BRIDGING,',
      '',
    ]);
  });

  it('given several subjects, restarts AESEQ for each and orders them by USUBJID', () => {
    const b = recordOf('SYN-B', [enrolled('2026-01-05'), aeReported('2026-01-07', { aeId: 'AE-1' }), aeReported('2026-01-08', { aeId: 'AE-2' })], ASOF);
    const a = recordOf('SYN-A', [enrolled('2026-01-05'), aeReported('2026-01-09', { aeId: 'AE-9' })], ASOF);

    expect(buildAeDataset([b, a]).rows.map((r) => `${r.USUBJID}#${r.AESEQ}`)).toEqual(['NCT07297173-SYN-A#1', 'NCT07297173-SYN-B#1', 'NCT07297173-SYN-B#2']);
  });

  it('given AEs after the as-of date, leaves them out', () => {
    const record = recordOf('SYN-004', [enrolled('2026-01-05'), aeReported('2026-01-07', { aeId: 'AE-1' }), aeReported('2026-03-01', { aeId: 'AE-2' })], '2026-02-01');

    expect(buildAeDataset([record]).rows.map((r) => r.AESPID)).toEqual(['AE-1']);
  });
});
