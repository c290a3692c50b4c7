export {
  kaplanMeier,
  type KaplanMeierOptions,
  type SurvivalEstimate,
  type SurvivalMilestone,
  type SurvivalObservation,
  type SurvivalStep,
} from './kaplan-meier';
export {
  cumulativeIncidence,
  type CauseIncidence,
  type CompetingCause,
  type CompetingRiskObservation,
  type CumulativeIncidence,
  type CumulativeIncidenceOptions,
  type IncidenceMilestone,
  type IncidenceStep,
} from './cumulative-incidence';
export { clopperPearson, type ProportionInterval } from './clopper-pearson';
export { betaQuantile, normalQuantile, regularizedIncompleteBeta } from './special-functions';
