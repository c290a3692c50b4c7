import type { EffectiveEvent } from '../history/effective-history';
import { structuralDeviations } from './deviations';

let revision = 0;
const at = (occurredOn: string, type: string, data: object = {}): EffectiveEvent =>
  ({ eventId: `e${revision}`, type, occurredOn, data, revision: revision++, correctedBy: [] }) as unknown as EffectiveEvent;

describe('structuralDeviations', () => {
  it.each([
    ['the protocol order', ['ChemotherapyStarted', 'GpbmcInfused', 'ConditioningStarted', 'StemCellsInfused'], []],
    ['GPBMC without chemotherapy', ['GpbmcInfused', 'ConditioningStarted', 'StemCellsInfused'], ['GPBMC_WITHOUT_CHEMOTHERAPY']],
    ['conditioning without GPBMC', ['ChemotherapyStarted', 'ConditioningStarted', 'StemCellsInfused'], ['CONDITIONING_WITHOUT_GPBMC']],
    ['Day 0 without conditioning', ['ChemotherapyStarted', 'GpbmcInfused', 'StemCellsInfused'], ['DAY0_WITHOUT_CONDITIONING']],
    ['straight to Day 0', ['StemCellsInfused'], ['DAY0_WITHOUT_CONDITIONING']],
  ])('given %s, flags %j', (_name, steps, expected) => {
    const history = [at('2026-01-01', 'PatientEnrolled', {}), ...steps.map((type, i) => at(`2026-01-${String(i + 2).padStart(2, '0')}`, type))];
    expect(structuralDeviations(history).map((d) => d.code)).toEqual(expected);
  });

  it('flags a waived eligibility with its reason', () => {
    const history = [at('2026-01-01', 'PatientEnrolled', { eligibilityWaiver: { reason: 'LVEF 48%, cardiology cleared' } })];
    expect(structuralDeviations(history)).toEqual([
      expect.objectContaining({ code: 'ELIGIBILITY_WAIVED', date: '2026-01-01', message: expect.stringContaining('LVEF 48%') }),
    ]);
  });
});
