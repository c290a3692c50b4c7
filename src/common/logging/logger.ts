import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { CREDENTIAL_HEADERS, REDACTED } from './redact';

/** Wherever a request, a reply or bare headers are logged, their credential headers are not. */
const REDACT_PATHS = [
  ...['req.headers', 'res.headers', 'request.headers', 'reply.headers', 'headers'].flatMap((at) => CREDENTIAL_HEADERS.map((name) => `${at}["${name}"]`)),
  '*.key',
  'key',
  'apiKey',
  '*.apiKey',
];

/**
 * Structured JSON logs on stdout (or the given destination), one line per record, for the
 * service and for Nest itself. Keys and bodies never reach the logs; request URLs are
 * logged through `redactUrl`.
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'treatment-timeline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
}

/** Nest's logger interface over pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    // Nest passes the context name last; an object message carries structured fields.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (message !== null && typeof message === 'object') this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context }, String(message));
  }
}
