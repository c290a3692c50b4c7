import type Database from 'better-sqlite3';
import { DynamicModule, Inject, Module, OnApplicationShutdown, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { API_KEY_REGISTRY, ApiKeyRegistry } from './common/auth/api-keys';
import { RolesGuard } from './common/auth/roles.guard';
import { APP_CONFIG, type AppConfig } from './common/config/app-config';
import { CLOCK, type Clock } from './common/clock/clock';
import { ProblemError } from './common/problem/problem';
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
import { CohortIndex } from './projections/cohort-index';
import { PatientProjector, READ_MODEL_DB } from './projections/patient.projector';
import { openReadModelDatabase } from './projections/read-model.database';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';

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

/** Query strings and other DTO-shaped input fail as problem+json naming every field. */
const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) =>
    new ProblemError(
      400,
      'VALIDATION_FAILED',
      'The request has invalid parameters.',
      errors.flatMap((e) => Object.values(e.constraints ?? { invalid: 'is invalid' }).map((message) => ({ path: e.property, code: 'INVALID', message }))),
    ),
});

@Module({})
export class AppModule {
  static forRoot({ config, clock, keys }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, PatientEventsController, PatientsController, QueriesController, AdminController, ReportsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: API_KEY_REGISTRY, useValue: keys },
        eventStoreProvider,
        { provide: READ_MODEL_DB, useFactory: () => openReadModelDatabase(config.dataDir) },
        StoreLifecycle,
        StreamStateCache,
        RecordCache,
        PatientEventsService,
        PatientsService,
        QueriesService,
        ReportsService,
        PatientProjector,
        CohortIndex,
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useValue: validationPipe },
      ],
    };
  }
}
