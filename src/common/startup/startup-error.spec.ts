import { ReadModelMismatchError } from '../../projections/read-model.errors';
import { StoreLockedError, StoreUnavailableError } from '../../event-store/event-store.errors';
import { addressOf, EXIT_CODES, StartupError, startupFailureOf, type StartupContext } from './startup-error';

const SQLITE: StartupContext = { dataDir: '/srv/timeline/data', eventStore: 'sqlite', eventStoreConnectionString: null, host: '0.0.0.0', port: 3000 };
const ESDB: StartupContext = { ...SQLITE, eventStore: 'eventstoredb', eventStoreConnectionString: 'esdb://admin:s3cr3t@db1.example:2113?tls=false' };

/** An error of another module's own making, which only carries the documented properties. */
class ReadModelUnusable extends Error {
  readonly files = ['/srv/timeline/data/read-model.sqlite'];
  readonly startupHint = 'it was set aside; start again to rebuild it';
}

describe('startupFailureOf', () => {
  it.each([
    [
      'a locked store names the data directory',
      new StoreLockedError('/srv/timeline/data/events.sqlite is in use by another process or connection'),
      SQLITE,
      EXIT_CODES.STORE_LOCKED,
      ['/srv/timeline/data', 'another DATA_DIR'],
    ],
    [
      'an EventStoreDB that refuses names its address, without the password',
      new StoreUnavailableError('ping failed: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED'),
      ESDB,
      EXIT_CODES.STORE_UNREACHABLE,
      ['EventStoreDB at db1.example:2113', 'ECONNREFUSED'],
    ],
    [
      'a StartupError keeps its code, files and hint',
      new StartupError('the event log is not the one the read model followed', { exitCode: EXIT_CODES.STORED_DATA_UNUSABLE, files: ['/d/events.sqlite', '/d/read-model.sqlite'], startupHint: 'restore the log, or delete the read model to rebuild it' }),
      SQLITE,
      EXIT_CODES.STORED_DATA_UNUSABLE,
      ['(files: /d/events.sqlite, /d/read-model.sqlite)', '- restore the log'],
    ],
    [
      'any error with files and startupHint is reported the same way',
      new ReadModelUnusable('the read model is damaged'),
      SQLITE,
      EXIT_CODES.STORED_DATA_UNUSABLE,
      ['the read model is damaged', '/srv/timeline/data/read-model.sqlite', 'start again to rebuild it'],
    ],
    [
      'a taken port names host and port',
      Object.assign(new Error('listen EADDRINUSE: address already in use 0.0.0.0:3000'), { code: 'EADDRINUSE' }),
      SQLITE,
      EXIT_CODES.CANNOT_LISTEN,
      ['0.0.0.0:3000', 'taken'],
    ],
    ['anything else is unexpected, named by its class and message', new TypeError('x is not a function'), SQLITE, EXIT_CODES.UNEXPECTED, ['TypeError: x is not a function']],
  ] as const)('%s', (_what, error, context, exitCode, mentions) => {
    const failure = startupFailureOf(error, context);

    expect(failure.exitCode).toBe(exitCode);
    for (const text of mentions) expect(failure.message).toContain(text);
    expect(failure.message).not.toContain('\n');
    expect(failure.message).not.toContain('s3cr3t');
    expect(failure.unexpected).toBe(exitCode === EXIT_CODES.UNEXPECTED);
  });

  it('takes an exitCode an error carries when it is one of the table, else the stored-data code', () => {
    expect(startupFailureOf(Object.assign(new Error('m'), { files: ['/f'], exitCode: EXIT_CODES.CONFIGURATION }), SQLITE).exitCode).toBe(EXIT_CODES.CONFIGURATION);
    expect(startupFailureOf(Object.assign(new Error('m'), { files: ['/f'], exitCode: 77 }), SQLITE).exitCode).toBe(EXIT_CODES.STORED_DATA_UNUSABLE);
  });
});

describe('a read model built from another log', () => {
  it('stops start-up as unusable stored data (5) with one line naming both files, not as an unexpected failure', () => {
    const error = new ReadModelMismatchError({ eventLog: '/srv/timeline/data/events.sqlite', readModel: '/srv/timeline/data/read-model.sqlite' }, 'the log ends before its checkpoint');

    const failure = startupFailureOf(error, SQLITE);

    expect(failure).toMatchObject({ exitCode: EXIT_CODES.STORED_DATA_UNUSABLE, unexpected: false });
    expect(failure.message).toContain('/srv/timeline/data/events.sqlite');
    expect(failure.message).toContain('/srv/timeline/data/read-model.sqlite');
  });
});

describe('addressOf', () => {
  it.each([
    ['esdb://localhost:2113?tls=false', 'localhost:2113'],
    ['esdb://admin:changeit@db1:2113,db2:2113?tls=false', 'db1:2113,db2:2113'],
    ['esdb+discover://cluster.example:2113', 'cluster.example:2113'],
  ])('%s is at %s', (connectionString, address) => {
    expect(addressOf(connectionString)).toBe(address);
  });
});
