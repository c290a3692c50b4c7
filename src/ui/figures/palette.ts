/**
 * Colours that stay apart for the common colour-vision deficiencies: the Okabe-Ito
 * categorical palette (Okabe & Ito 2008) for phases and curves, and the ColorBrewer
 * OrRd sequential ramp, ending in black, for CTCAE grades. Every colour is paired with
 * a shape, a dash pattern or a label, so nothing is told by colour alone.
 */
import type { AeCategory } from '../../domain/events/clinical-event';
import type { Phase } from '../../domain/projection/patient-record';

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  grey: '#999999',
} as const;

/** Neighbouring phases get colours of different lightness as well as hue. */
export const PHASE_COLOURS: Readonly<Record<Phase, string>> = {
  ENROLLED: OKABE_ITO.grey,
  BRIDGING_CHEMOTHERAPY: OKABE_ITO.orange,
  BRIDGING_GPBMC: OKABE_ITO.skyBlue,
  CONDITIONING: OKABE_ITO.reddishPurple,
  EARLY_POST_TRANSPLANT: OKABE_ITO.blue,
  LONG_TERM_FOLLOW_UP: OKABE_ITO.bluishGreen,
  COMPLETED: OKABE_ITO.yellow,
  OFF_STUDY: '#dddddd',
};

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  ENROLLED: 'Enrolled',
  BRIDGING_CHEMOTHERAPY: 'Bridging chemotherapy',
  BRIDGING_GPBMC: 'Bridging GPBMC',
  CONDITIONING: 'Conditioning',
  EARLY_POST_TRANSPLANT: 'Early post-transplant',
  LONG_TERM_FOLLOW_UP: 'Long-term follow-up',
  COMPLETED: 'Completed',
  OFF_STUDY: 'Off study',
};

/** CTCAE grade 1..5, light to dark (grade 5, death, black). */
export const GRADE_FILLS: readonly string[] = ['#fef0d9', '#fdcc8a', '#fc8d59', '#d7301f', '#000000'];

export function gradeFill(grade: number): string {
  return GRADE_FILLS[Math.min(5, Math.max(1, Math.round(grade))) - 1];
}

export const AE_CATEGORY_LABELS: Readonly<Record<AeCategory, string>> = {
  ACUTE_GVHD: 'Acute GVHD',
  CHRONIC_GVHD: 'Chronic GVHD',
  INFECTION: 'Infection',
  ORGAN_DYSFUNCTION: 'Organ dysfunction',
  HEMATOLOGICAL_TOXICITY: 'Haematological toxicity',
  OTHER: 'Other AE',
};

/** A shape per AE category, centred on (0, 0) within a radius of `r`: an SVG path. */
export function categoryShape(category: AeCategory, r: number): string {
  switch (category) {
    case 'ACUTE_GVHD':
      return circlePath(r);
    case 'CHRONIC_GVHD':
      return `M${-r * 0.85},${-r * 0.85}H${r * 0.85}V${r * 0.85}H${-r * 0.85}Z`;
    case 'INFECTION':
      return `M0,${-r}L${r},${r * 0.8}H${-r}Z`;
    case 'ORGAN_DYSFUNCTION':
      return `M0,${-r}L${r},0L0,${r}L${-r},0Z`;
    case 'HEMATOLOGICAL_TOXICITY':
      return `M0,${r}L${r},${-r * 0.8}H${-r}Z`;
    case 'OTHER':
      return hexagonPath(r);
    default: {
      const unknown: never = category;
      throw new Error(`unknown AE category ${String(unknown)}`);
    }
  }
}

export function circlePath(r: number): string {
  return `M${-r},0A${r},${r} 0 1,0 ${r},0A${r},${r} 0 1,0 ${-r},0Z`;
}

function hexagonPath(r: number): string {
  const points = [0, 1, 2, 3, 4, 5].map((k) => {
    const angle = (Math.PI / 3) * k;
    return `${round(r * Math.cos(angle))},${round(r * Math.sin(angle))}`;
  });
  return `M${points.join('L')}Z`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
