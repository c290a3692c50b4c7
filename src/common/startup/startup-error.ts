/**
 * How the process ends, and what it says when it cannot start. The exit codes are the
 * README's table ("Exit codes"); a supervisor can tell a bad deployment (2), a second
 * instance on the same data (3), a store away (4), damaged data (5) and a taken port (6)
 * apart without reading the message.
 */
export const EXIT_CODES = {
  /** Stopped on SIGTERM or SIGINT after closing cleanly. */
  STOPPED: 0,
  /** A failure the service has no message for (a bug): the message on stderr, the stack in the log. */
  UNEXPECTED: 1,
  /** The configuration (environment, the API key file) is invalid. */
  CONFIGURATION: 2,
  /** Another process holds the data directory's event store. */
  STORE_LOCKED: 3,
  /** The event store cannot be reached (EventStoreDB refused or timed out). */
  STORE_UNREACHABLE: 4,
  /** Stored data cannot be used as it is (a damaged file, a log that is not the one the read model followed). */
  STORED_DATA_UNUSABLE: 5,
  /** The HTTP port cannot be listened on (taken, not permitted, no such address). */
  CANNOT_LISTEN: 6,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * An error that stops start-up with one clear message: what is wrong, the files or the
 * address concerned, and what to do (`startupHint`). Any error carrying `files` or
 * `startupHint` (and optionally `exitCode`) is reported the same way, so other modules
 * need not import this class to be reported well.
 */
export class StartupError extends Error {
  readonly exitCode: ExitCode;
  readonly files?: readonly string[];
  readonly address?: string;
  readonly startupHint?: string;

  constructor(
    message: string,
    details: { exitCode: ExitCode; files?: readonly string[]; address?: string; startupHint?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StartupError';
    this.exitCode = details.exitCode;
    if (details.files) this.files = details.files;
    if (details.address) this.address = details.address;
    if (details.startupHint) this.startupHint = details.startupHint;
  }
}

export interface StartupContext {
  readonly dataDir: string;
  readonly eventStore: 'sqlite' | 'eventstoredb';
  readonly eventStoreConnectionString: string | null;
  readonly host: string;
  readonly port: number;
}

export interface StartupFailure {
  readonly exitCode: ExitCode;
  /** One line: the cause, naming the file or the address. */
  readonly message: string;
  /** True for a failure the service has no message for: its stack belongs in the log. */
  readonly unexpected: boolean;
}

const KNOWN_CODES = new Set<number>(Object.values(EXIT_CODES));

/** What to print, and the exit code, for anything that stopped start-up. */
export function startupFailureOf(error: unknown, context: StartupContext): StartupFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    files?: unknown;
    startupHint?: unknown;
    address?: unknown;
    exitCode?: unknown;
  };
  const message = typeof e.message === 'string' && e.message !== '' ? oneLine(e.message) : String(error);
  // A list of files, or files by role (`{ eventLog, readModel }`, as ReadModelMismatchError names them).
  const named = Array.isArray(e.files) ? e.files : typeof e.files === 'object' && e.files !== null ? Object.values(e.files) : [];
  const files = named.filter((f): f is string => typeof f === 'string');
  const hint = typeof e.startupHint === 'string' ? oneLine(e.startupHint) : null;

  if (error instanceof StartupError || files.length > 0 || hint !== null) {
    const exitCode = typeof e.exitCode === 'number' && KNOWN_CODES.has(e.exitCode) ? (e.exitCode as ExitCode) : EXIT_CODES.STORED_DATA_UNUSABLE;
    const parts = [message];
    if (files.length > 0 && !files.every((file) => message.includes(file))) parts.push(`(files: ${files.join(', ')})`);
    if (typeof e.address === 'string' && !message.includes(e.address)) parts.push(`(address: ${e.address})`);
    if (hint !== null) parts.push(`- ${hint}`);
    return { exitCode, message: parts.join(' '), unexpected: false };
  }
  if (e.name === 'StoreLockedError') {
    return {
      exitCode: EXIT_CODES.STORE_LOCKED,
      message: `the data directory ${context.dataDir} is in use by another process (${message}); stop the other instance, or give this one another DATA_DIR`,
      unexpected: false,
    };
  }
  if (e.name === 'StoreUnavailableError' || (e.name === 'EventStoreError' && context.eventStore === 'eventstoredb')) {
    const where =
      context.eventStore === 'eventstoredb' && context.eventStoreConnectionString
        ? `EventStoreDB at ${addressOf(context.eventStoreConnectionString)}`
        : `the event store in ${context.dataDir}`;
    return { exitCode: EXIT_CODES.STORE_UNREACHABLE, message: `${where} cannot be reached: ${message}`, unexpected: false };
  }
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    const why = e.code === 'EADDRINUSE' ? 'the port is taken by another process' : e.code === 'EACCES' ? 'not permitted' : 'no such address on this machine';
    return { exitCode: EXIT_CODES.CANNOT_LISTEN, message: `cannot listen on ${context.host}:${context.port}: ${why} (${String(e.code)}); set PORT or HOST`, unexpected: false };
  }
  return { exitCode: EXIT_CODES.UNEXPECTED, message: `${typeof e.name === 'string' ? `${e.name}: ` : ''}${message}`, unexpected: true };
}

/**
 * The hosts of an EventStoreDB connection string, without any user name or password it
 * carries: `esdb://admin:changeit@db1:2113,db2:2113?tls=false` gives `db1:2113,db2:2113`.
 */
export function addressOf(connectionString: string): string {
  const afterScheme = connectionString.replace(/^[a-z+]+:\/\//i, '');
  const hosts = afterScheme.split(/[/?#]/, 1)[0];
  const at = hosts.lastIndexOf('@');
  return at >= 0 ? hosts.slice(at + 1) : hosts;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
