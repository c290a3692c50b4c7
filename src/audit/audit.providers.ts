import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, type Provider } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock/clock';
import { StoredDataCorruptError } from '../event-store/event-store.errors';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { FeedService } from './feed.service';
import { FeedWriter } from './feed.writer';
import { DEFAULT_SEAL_POLICY, Sealer } from './sealer';

/** How often the sealer checks the age of the oldest unsealed event. */
const SEAL_CHECK_MS = 1_000;

/** Runs the sealer for as long as the service runs; it stops before the store closes. */
@Injectable()
export class SealingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly sealer: Sealer;
  private readonly logger = new Logger('Sealer');
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(CLOCK) clock: Clock) {
    this.sealer = new Sealer(store, () => clock.now(), DEFAULT_SEAL_POLICY);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.sealer.start();
    } catch (error) {
      // A seal over a damaged log would certify the damage: no seals until it is repaired,
      // while the service still answers what it can (/health reports the damaged event).
      if (!(error instanceof StoredDataCorruptError)) throw error;
      this.logger.error(`no seals are made: ${error.message}; restore the event log from a backup and restart`);
      return;
    }
    this.timer = setInterval(() => this.sealer.tick(), SEAL_CHECK_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sealer.stop();
  }
}

export const AUDIT_CONTROLLERS = [AuditController];
export const AUDIT_PROVIDERS: Provider[] = [AuditService, FeedService, FeedWriter, SealingLifecycle];
