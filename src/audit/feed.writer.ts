import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK, type Clock } from '../common/clock/clock';
import { utcDateOf } from '../domain/calendar/clinical-date';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../event-store/event-store.port';
import { subjectIdOf, toRecordedEvent } from '../event-store/patient-stream';
import { changeTrail } from './change-trail';
import { FeedService } from './feed.service';

/** A comment line every 15 s keeps proxies from closing an idle feed. */
export const HEARTBEAT_MS = 15_000;

/**
 * Writes the feed as server-sent events: one `event` message per stored event, its `id`
 * the log position, so a client that reconnects with `Last-Event-ID` resumes strictly
 * after the last event it received: no gap, no duplicate. With records, a `record`
 * message after each event says what it changed in the derived record.
 *
 * Back-pressure: the next page is read only once the socket has taken the last one
 * (`write` returning false waits for `drain`), so a slow client costs one page of memory.
 */
@Injectable()
export class FeedWriter implements BeforeApplicationShutdown {
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly feed: FeedService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async serve(request: FastifyRequest, reply: FastifyReply, after: number | undefined, records: boolean): Promise<void> {
    const raw = reply.raw;
    const abort = new AbortController();
    this.open.add(abort);
    request.raw.on('close', () => abort.abort());
    reply.hijack();
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(': treatment timeline feed\n\n');
    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const drained = () => new Promise<void>((resolve) => {
      const done = () => {
        raw.off('drain', done);
        abort.signal.removeEventListener('abort', done);
        resolve();
      };
      raw.once('drain', done);
      abort.signal.addEventListener('abort', done, { once: true });
    });
    try {
      let cursor = after;
      while (!abort.signal.aborted) {
        const page = await this.feed.nextPage(cursor, abort.signal);
        for (const event of page) {
          if (abort.signal.aborted) break;
          let ok = raw.write(`id: ${event.position}\nevent: event\ndata: ${JSON.stringify({ ...toRecordedEvent(event), digest: event.digest ?? null })}\n\n`);
          if (records) ok = raw.write(`event: record\ndata: ${JSON.stringify(await this.recordChange(event))}\n\n`) && ok;
          cursor = event.position;
          if (!ok) await drained();
        }
      }
    } catch {
      // The store went away: end the stream; the client resumes from its Last-Event-ID.
    } finally {
      clearInterval(heartbeat);
      this.open.delete(abort);
      raw.end();
    }
  }

  /** What the event changed in its patient's derived record, as of today. */
  private async recordChange(event: StoredEvent) {
    const stream = await this.store.readStream(event.streamId, { maxCount: event.revision + 1 });
    const subjectId = subjectIdOf(event.streamId)!;
    const last = changeTrail(subjectId, stream, utcDateOf(this.clock.now())).at(-1)!;
    return { subjectId, revision: event.revision, position: event.position, recordChanges: last.recordChanges, queriesRaised: last.queriesRaised, queriesAnswered: last.queriesAnswered };
  }

  /** Before the HTTP server closes: an open feed would keep it from closing. */
  beforeApplicationShutdown(): void {
    for (const abort of this.open) abort.abort();
    this.feed.stop();
  }
}
