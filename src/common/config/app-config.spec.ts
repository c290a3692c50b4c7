import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('given no environment, uses the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, eventStore: 'sqlite', apiKeys: null, logLevel: 'info' });
    expect(config.dataDir).toMatch(/data$/);
  });

  it('reads API keys as role:key pairs', () => {
    const config = loadConfig({ API_KEYS: 'emitter:aaaaaaaaaaaaaaaa, reporter:bbbbbbbbbbbbbbbb' });
    expect(config.apiKeys).toEqual([
      { role: 'emitter', key: 'aaaaaaaaaaaaaaaa' },
      { role: 'reporter', key: 'bbbbbbbbbbbbbbbb' },
    ]);
  });

  it('lists every problem at once and never echoes a key', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', EVENT_STORE: 'eventstoredb', API_KEYS: 'root:secretsecretsecret1,emitter:short', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (e) {
      const { problems, message } = e as ConfigError;
      expect(problems).toEqual([
        'PORT must be an integer from 0 to 65535, got "eighty"',
        'EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
        'API_KEYS entry 1 must be role:key with role one of emitter, auditor, reporter, admin',
        'API_KEYS entry 2 (emitter): a key must have at least 16 characters',
      ]);
      expect(message).not.toContain('secretsecret');
      expect(message).not.toContain('short');
    }
  });

  it('times requests out by default, and takes other timeouts', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, readModelWaitMs: 5_000 });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '100' })).toMatchObject({
      requestTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 100,
    });
  });

  it.each([
    [{ REQUEST_TIMEOUT_MS: '0' }, 'REQUEST_TIMEOUT_MS must be an integer from 50 to 600000, got "0"'],
    [{ HEADERS_TIMEOUT_MS: '5s' }, 'HEADERS_TIMEOUT_MS must be an integer from 50 to 600000, got "5s"'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '-1' }, 'KEEP_ALIVE_TIMEOUT_MS must be an integer from 50 to 600000, got "-1"'],
    [{ READ_MODEL_WAIT_MS: '61000' }, 'READ_MODEL_WAIT_MS must be an integer from 0 to 60000, got "61000"'],
    [{ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' }, 'HEADERS_TIMEOUT_MS (2000) must not exceed REQUEST_TIMEOUT_MS (1000): the headers are part of the request'],
  ])('refuses a timeout that would leave connections unbounded or cannot hold: %j', (env, problem) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError([problem]));
  });

  it('accepts EventStoreDB with a connection string', () => {
    const config = loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' });
    expect(config.eventStoreConnectionString).toBe('esdb://localhost:2113?tls=false');
  });
});
