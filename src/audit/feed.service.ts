import { Inject, Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { PATIENT_STREAM_PREFIX } from '../event-store/patient-stream';

/** Events a feed reads from the log at a time: the most one client holds in memory. */
export const FEED_PAGE = 500;

/**
 * The live feed's source: pages of the global log strictly after a position, read when the
 * client is ready for them (pull, not push), so a slow client holds one page at most and
 * never grows the service's memory. Once caught up it waits for the next append.
 */
@Injectable()
export class FeedService {
  private readonly appended = new Subject<void>();
  private doorbell: { unsubscribe(): void } | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** One subscription to the log for all clients, used only to wake them: it keeps no events. */
  private ensureDoorbell(): void {
    if (this.doorbell) return;
    void this.store.headPosition().then((head) => {
      if (this.doorbell) return;
      this.doorbell = this.store.subscribeToAll(head === null ? {} : { after: head }).subscribe({ next: () => this.appended.next(), error: () => (this.doorbell = null) });
    });
  }

  /** The next page of patient events after `after`; waits (until `signal` aborts) while there is none. */
  async nextPage(after: number | undefined, signal: AbortSignal): Promise<StoredEvent[]> {
    this.ensureDoorbell();
    for (;;) {
      if (signal.aborted) return [];
      const waitForAppend = new Promise<void>((resolve) => {
        const sub = this.appended.subscribe(() => {
          sub.unsubscribe();
          resolve();
        });
        signal.addEventListener('abort', () => {
          sub.unsubscribe();
          resolve();
        }, { once: true });
      });
      const page = await this.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: FEED_PAGE });
      const ours = page.events.filter((e) => e.streamId.startsWith(PATIENT_STREAM_PREFIX));
      if (ours.length > 0) return ours;
      if (page.events.length > 0) {
        after = page.events[page.events.length - 1].position;
        continue;
      }
      await waitForAppend;
    }
  }

  stop(): void {
    this.doorbell?.unsubscribe();
    this.doorbell = null;
    this.appended.complete();
  }
}
