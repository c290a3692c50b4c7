import { ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isClinicalDate } from '../../domain/calendar/clinical-date';

/** A real calendar date written YYYY-MM-DD (2026-02-30 fails). */
@ValidatorConstraint({ name: 'isClinicalDate' })
export class IsClinicalDateString implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isClinicalDate(value);
  }
  defaultMessage(): string {
    return '$property must be a real calendar date YYYY-MM-DD';
  }
}
