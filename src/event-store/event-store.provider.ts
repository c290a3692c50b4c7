import type { Provider } from '@nestjs/common';
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
  useFactory: async (config: AppConfig, clock: Clock): Promise<EventStore> =>
    config.eventStore === 'eventstoredb'
      ? EventStoreDbEventStore.connect(config.eventStoreConnectionString!, { clock: () => clock.now(), streamPrefix: PATIENT_STREAM_PREFIX })
      : SqliteEventStore.open({ dataDir: config.dataDir, clock: () => clock.now() }),
};
