import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout, one line per record, for the service and for Nest itself. */
export function createRootLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'treatment-timeline' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Keys and bodies never reach the logs.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.key', 'key'], censor: '[redacted]' },
  });
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
