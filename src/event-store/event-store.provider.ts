import { Logger, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../common/config/app-config';
import { CLOCK, type Clock } from '../common/clock/clock';
import { EVENT_STORE, type EventStore } from './event-store.port';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';
import { PATIENT_STREAM_PREFIX } from './patient-stream';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

/** The one event store: embedded SQLite by default, EventStoreDB when configured. */
export const eventStoreProvider: Provider = {
  provide: EVENT_STORE,
  inject: [APP_CONFIG, CLOCK],
  useFactory: async (config: AppConfig, clock: Clock): Promise<EventStore> => {
    // The stores log what only they see (a damaged event, a full disk), once, with its stream and position.
    const nest = new Logger('EventStore');
    const logger = {
      info: (fields: object, message: string) => nest.log({ ...fields, msg: message }),
      warn: (fields: object, message: string) => nest.warn({ ...fields, msg: message }),
      error: (fields: object, message: string) => nest.error({ ...fields, msg: message }),
    };
    return config.eventStore === 'eventstoredb'
      ? EventStoreDbEventStore.connect(config.eventStoreConnectionString!, { clock: () => clock.now(), streamPrefix: PATIENT_STREAM_PREFIX, logger })
      : SqliteEventStore.open({ dataDir: config.dataDir, clock: () => clock.now(), logger });
  },
};
