import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { ProblemError } from '../problem/problem';

/**
 * Query strings and other DTO-shaped input fail as problem+json naming every field.
 *
 * class-transformer leaves out of the instance any key whose value on a new object is an
 * inherited function (`?toString=1`, `?valueOf=x`), so the whitelist never sees it and it
 * would be ignored in silence: every key of the input that the instance lacks is refused too.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        invalidParameters(
          errors.flatMap((e) =>
            Object.entries(e.constraints ?? { invalid: `${e.property} is invalid` }).map(([constraint, message]) =>
              // class-validator says "property x should not exist"; said as the body's unknown fields are.
              constraint === 'whitelistValidation' ? unknownParameter(e.property) : { path: e.property, code: 'INVALID', message },
            ),
          ),
        ),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const result: unknown = await super.transform(value, metadata);
    // Only where a DTO instance was built from the input (not a body taken as it is, nor a single value).
    if (isObject(value) && isObject(result) && result !== value) {
      const leftOut = Object.keys(value).filter((key) => !Object.prototype.hasOwnProperty.call(result, key));
      if (leftOut.length > 0) throw invalidParameters(leftOut.map(unknownParameter));
    }
    return result;
  }
}

const unknownParameter = (key: string) => ({ path: key, code: 'UNKNOWN_PARAMETER', message: `${key} is not a known parameter` });

function invalidParameters(errors: readonly { path: string; code: string; message: string }[]): ProblemError {
  return new ProblemError(400, 'VALIDATION_FAILED', 'The request has invalid parameters.', [...errors]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
