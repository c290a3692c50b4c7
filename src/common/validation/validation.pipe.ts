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
        invalidParameters(errors.flatMap((e) => Object.values(e.constraints ?? { invalid: 'is invalid' }).map((message) => ({ path: e.property, message })))),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const result: unknown = await super.transform(value, metadata);
    // Only where a DTO instance was built from the input (not a body taken as it is, nor a single value).
    if (isObject(value) && isObject(result) && result !== value) {
      const leftOut = Object.keys(value).filter((key) => !Object.prototype.hasOwnProperty.call(result, key));
      if (leftOut.length > 0) throw invalidParameters(leftOut.map((key) => ({ path: key, message: `property ${key} should not exist` })));
    }
    return result;
  }
}

function invalidParameters(errors: readonly { path: string; message: string }[]): ProblemError {
  return new ProblemError(400, 'VALIDATION_FAILED', 'The request has invalid parameters.', errors.map((e) => ({ path: e.path, code: 'INVALID', message: e.message })));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
