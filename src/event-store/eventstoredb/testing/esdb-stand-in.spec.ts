import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  jsonEvent,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { EsdbStandIn } from './esdb-stand-in';

/**
 * The stand-in as the official client sees it: these cases speak only through
 * `EventStoreDBClient`, so they prove wire compatibility, not the adapter.
 */
describe('EsdbStandIn, seen through @eventstore/db-client', () => {
  let server: EsdbStandIn;
  let client: EventStoreDBClient;

  beforeEach(async () => {
    server = new EsdbStandIn();
    const { connectionString } = await server.start();
    client = EventStoreDBClient.connectionString(connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await server.stop();
  });

  const ev = (type: string, n: number) => jsonEvent({ id: randomUUID(), type, data: { n }, metadata: { m: n } });

  async function drain<E>(read: AsyncIterable<E>): Promise<E[]> {
    const out: E[] = [];
    for await (const e of read) out.push(e);
    return out;
  }

  it('appends with every kind of expected revision and reports the actual one when it is wrong', async () => {
    const first = await client.appendToStream('s-1', [ev('A', 0), ev('A', 1)], { expectedRevision: 'no_stream' });
    const second = await client.appendToStream('s-1', ev('A', 2), { expectedRevision: BigInt(1) });
    const third = await client.appendToStream('s-1', ev('A', 3), { expectedRevision: 'stream_exists' });
    const fourth = await client.appendToStream('s-1', ev('A', 4), { expectedRevision: 'any' });
    const wrong = await client.appendToStream('s-1', ev('A', 5), { expectedRevision: BigInt(1) }).then(() => null, (e: unknown) => e);
    const missing = await client.appendToStream('s-2', ev('A', 0), { expectedRevision: 'stream_exists' }).then(() => null, (e: unknown) => e);

    expect([first, second, third, fourth].map((r) => r.nextExpectedRevision)).toEqual([BigInt(1), BigInt(2), BigInt(3), BigInt(4)]);
    expect(first.position!.commit).toBe(first.position!.prepare);
    expect(second.position!.commit > first.position!.commit).toBe(true);
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong).toMatchObject({ streamName: 's-1', actualVersion: BigInt(4), expectedVersion: BigInt(1) });
    expect(missing).toMatchObject({ actualVersion: 'no_stream', expectedVersion: 'stream_exists' });
  });

  it('answers a repeat of the same ids at the same expected revision with success, storing nothing', async () => {
    const events = [ev('A', 0), ev('A', 1)];
    await client.appendToStream('s-1', events, { expectedRevision: 'no_stream' });

    const repeat = await client.appendToStream('s-1', events, { expectedRevision: 'no_stream' });

    expect(repeat.nextExpectedRevision).toBe(BigInt(1));
    expect(server.eventIdsOf('s-1')).toEqual(events.map((e) => e.id));
  });

  it.each<[string, Parameters<EventStoreDBClient['readStream']>[1], number[]]>([
    ['forwards from the start', {}, [0, 1, 2, 3]],
    ['forwards from a revision, counted', { fromRevision: BigInt(1), maxCount: 2 }, [1, 2]],
    ['backwards from the end', { direction: BACKWARDS, fromRevision: END }, [3, 2, 1, 0]],
    ['backwards from a revision, counted', { direction: BACKWARDS, fromRevision: BigInt(2), maxCount: 2 }, [2, 1]],
    ['forwards from the end', { fromRevision: END }, []],
  ])('reads a stream %s', async (_, options, revisions) => {
    await client.appendToStream('s-1', [0, 1, 2, 3].map((n) => ev('A', n)));

    const read = await drain(client.readStream('s-1', options));

    expect(read.map((r: ResolvedEvent) => Number(r.event!.revision))).toEqual(revisions);
    expect(read.map((r: ResolvedEvent) => r.event!.data)).toEqual(revisions.map((n) => ({ n })));
  });

  it('reports a missing stream as StreamNotFoundError', async () => {
    await expect(drain(client.readStream('nowhere'))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all both ways, system events included, with positions that match the append', async () => {
    const appended = await client.appendToStream('s-1', ev('A', 0));

    const forwards = await drain(client.readAll());
    const backwards = await drain(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    const fromPosition = await drain(client.readAll({ fromPosition: appended.position! }));

    expect(forwards.map((r: AllStreamResolvedEvent) => r.event!.type)).toEqual(['$statsCollected', 'A']);
    expect(backwards.map((r: AllStreamResolvedEvent) => r.event!.position)).toEqual([appended.position]);
    expect(fromPosition.map((r: AllStreamResolvedEvent) => r.event!.streamId)).toEqual(['s-1']);
  });

  it('subscribes to $all with a stream-name filter: confirmation, catch-up, live, checkpoints', async () => {
    await client.appendToStream('keep-1', ev('A', 0));
    await client.appendToStream('drop-1', ev('A', 1));
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({ prefixes: ['keep-'], maxSearchWindow: 1, checkpointInterval: 1, checkpointReached: (_, p) => void checkpoints.push(p) }),
    });
    const confirmed = new Promise<void>((resolve) => subscription.once('confirmation', resolve));
    const caughtUp = new Promise<void>((resolve) => subscription.once('caughtUp', resolve));
    const seen: string[] = [];
    const done = (async () => {
      for await (const r of subscription) {
        seen.push(r.event!.streamId);
        if (seen.length === 2) break;
      }
    })();

    await confirmed;
    await caughtUp;
    await client.appendToStream('drop-2', ev('A', 2));
    await client.appendToStream('keep-2', ev('A', 3));
    await done;

    expect(seen).toEqual(['keep-1', 'keep-2']);
    expect(checkpoints.length).toBeGreaterThan(0);
  });

  it('subscribes to $all with an event-type filter from a position, strictly after it', async () => {
    const first = await client.appendToStream('s-1', ev('Wanted', 0));
    await client.appendToStream('s-1', [ev('Unwanted', 1), ev('Wanted', 2)]);
    const subscription = client.subscribeToAll({ fromPosition: first.position!, filter: eventTypeFilter({ prefixes: ['Want'] }) });

    const [next] = await (async () => {
      for await (const r of subscription) return [r];
      return [];
    })();
    await subscription.unsubscribe();

    expect(next?.event?.data).toEqual({ n: 2 });
  });

  it('subscribes to a stream from a revision, strictly after it, then live', async () => {
    await client.appendToStream('s-1', [ev('A', 0), ev('A', 1)]);
    const subscription = client.subscribeToStream('s-1', { fromRevision: BigInt(0) });
    const seen: number[] = [];
    const done = (async () => {
      for await (const r of subscription) {
        seen.push(Number(r.event!.revision));
        if (seen.length === 2) break;
      }
    })();

    await client.appendToStream('s-1', ev('A', 2));
    await done;

    expect(seen).toEqual([1, 2]);
  });

  it('ends open subscriptions with UNAVAILABLE on closeSubscriptions', async () => {
    const subscription = client.subscribeToAll();
    await new Promise<void>((resolve) => subscription.once('confirmation', resolve));
    const failed = drain(subscription).then(() => null, (e: unknown) => e);

    expect(server.closeSubscriptions()).toBe(1);

    expect(await failed).toMatchObject({ type: 'unavailable' });
  });
});
