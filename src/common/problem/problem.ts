/**
 * One failing field, parameter, criterion or rule, as clients read it in a problem's
 * `errors`. Every item has a `path`: a dotted path into the body (`data.ageYears`,
 * `[2].occurredOn` in a batch, `[2]` for a whole event, '' for the whole body) or the
 * name of the query parameter, path parameter or header. `message` starts with the name
 * of what is wrong and says what is wrong with it, in lower case, without a final period.
 */
export interface ProblemDetailItem {
  readonly path: string;
  readonly code?: string;
  readonly message: string;
  readonly [extra: string]: unknown;
}

/**
 * An error that becomes an RFC 9457 problem+json answer with a stable `code`.
 * Anything the service refuses on purpose is raised as one of these.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: readonly ProblemDetailItem[],
    readonly extensions: Readonly<Record<string, unknown>> = {},
    /** Response headers the answer needs (Retry-After, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

