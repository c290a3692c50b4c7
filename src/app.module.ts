import type Database from 'better-sqlite3';
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { API_KEY_REGISTRY, ApiKeyRegistry } from './common/auth/api-keys';
import { RolesGuard } from './common/auth/roles.guard';
import { APP_CONFIG, type AppConfig } from './common/config/app-config';
import { CLOCK, type Clock } from './common/clock/clock';
import { StrictValidationPipe } from './common/validation/validation.pipe';
import { ProblemFilter } from './common/problem/problem.filter';
import { HealthController } from './api/health/health.controller';
import { PatientEventsController } from './api/events/patient-events.controller';
import { PatientEventsService } from './api/events/patient-events.service';
import { StreamStateCache } from './api/events/stream-state.cache';
import { EVENT_STORE, type EventStore } from './event-store/event-store.port';
import { eventStoreProvider } from './event-store/event-store.provider';
import { AdminController } from './api/admin/admin.controller';
import { PatientsController } from './api/patients/patients.controller';
import { PatientsService } from './api/patients/patients.service';
import { RecordCache } from './api/patients/record.cache';
import { QueriesController } from './api/queries/queries.controller';
import { QueriesService } from './api/queries/queries.service';
import { ReadModelConsistency, ReadModelInterceptor } from './api/patients/read-model-consistency';
import { CohortIndex } from './projections/cohort-index';
import { PatientProjector, PROJECTOR_OPTIONS, READ_MODEL_DB, type ProjectorOptions } from './projections/patient.projector';
import { openReadModelDatabase, READ_MODEL_FILE } from './projections/read-model.database';
import { EVENTS_FILE } from './event-store/sqlite/sqlite-event-store';
import { join } from 'node:path';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { UiModule } from './ui/ui.module';
import { AUDIT_CONTROLLERS, AUDIT_PROVIDERS } from './audit/audit.providers';

/**
 * Closes the stores after the HTTP server has finished its in-flight requests
 * (Nest closes the server before this hook runs).
 */
class StoreLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DB) private readonly readModel: Database.Database,
    private readonly projector: PatientProjector,
  ) {}
  async onApplicationShutdown() {
    this.projector.stop();
    await this.store.close();
    this.readModel.close();
  }
}

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly keys: ApiKeyRegistry;
}

@Module({})
export class AppModule {
  static forRoot({ config, clock, keys }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [UiModule],
      controllers: [HealthController, PatientEventsController, PatientsController, QueriesController, AdminController, ReportsController, ...AUDIT_CONTROLLERS],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: API_KEY_REGISTRY, useValue: keys },
        eventStoreProvider,
        { provide: READ_MODEL_DB, useFactory: () => openReadModelDatabase(config.dataDir, { now: () => clock.now() }) },
        {
          provide: PROJECTOR_OPTIONS,
          useValue: {
            files: {
              // Never the connection string: it may carry credentials.
              eventLog: config.eventStore === 'eventstoredb' ? 'the EventStoreDB server' : join(config.dataDir, EVENTS_FILE),
              readModel: join(config.dataDir, READ_MODEL_FILE),
            },
          } satisfies ProjectorOptions,
        },
        StoreLifecycle,
        StreamStateCache,
        RecordCache,
        PatientEventsService,
        PatientsService,
        QueriesService,
        ReadModelConsistency,
        ReadModelInterceptor,
        ReportsService,
        PatientProjector,
        CohortIndex,
        ...AUDIT_PROVIDERS,
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useValue: new StrictValidationPipe() },
      ],
    };
  }
}
