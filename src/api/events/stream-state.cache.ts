import { Inject, Injectable, Optional } from '@nestjs/common';
import { basisOf, EMPTY_BASIS, extendBasis, type DecisionBasis } from '../../domain/decide/decision-basis';
import type { HistoryEntry } from '../../domain/history/effective-history';
import { EVENT_STORE, type AppendResult, type EventStore, type EventToAppend, type StoredEvent } from '../../event-store/event-store.port';
import { toHistoryEntry } from '../../event-store/patient-stream';

/** Events held across all streams by default: about 100 MB of decoded events. */
export const DEFAULT_EVENT_BUDGET = 100_000;

/** DI token of the budget, so tests and benchmarks can set it. */
export const STREAM_CACHE_BUDGET = Symbol('STREAM_CACHE_BUDGET');

/**
 * A stream as this instance last knew it, frozen at `revision`: later appends to the
 * cache do not show through a state already handed out.
 */
export interface StreamState {
  readonly streamId: string;
  /** The last event's revision; null when the stream does not exist. */
  readonly revision: number | null;
  /** False when this state came from memory without asking the store. */
  readonly confirmed: boolean;
  /** What the rules read when a batch adds plain facts (`decideOnBasis`). */
  readonly basis: DecisionBasis;
  /** The stored events, revision 0 first. */
  events(): readonly StoredEvent[];
  /** The events as the domain reads them (upcast), revision 0 first. */
  history(): readonly HistoryEntry[];
  /** The stored event with this id, if the stream holds it. */
  eventById(eventId: string): StoredEvent | undefined;
}

interface Held {
  readonly events: StoredEvent[];
  readonly history: HistoryEntry[];
  readonly byId: Map<string, StoredEvent>;
  basis: DecisionBasis;
}

/**
 * The decided state of recently used patient streams, so that an append costs the new
 * events and not the whole stream: their stored events, decoded once, the effective
 * history's entries and the decision basis, extended event by event as appends succeed.
 *
 * It is never trusted over the store. The append path takes a state from memory without
 * asking the store (`load`) and appends with its revision as the expected revision: if
 * another instance wrote meanwhile, the store refuses, the caller `drop`s the stream and
 * loads it again. A rejection decided on a state from memory is confirmed against the
 * store (`refresh`) before it is answered. Reads always `refresh`: one read of the events
 * after the held revision, usually none. Bounded by events held (least recently used
 * streams leave first); a stream that does not exist is never held.
 */
@Injectable()
export class StreamStateCache {
  private readonly streams = new Map<string, Held>();
  private held = 0;
  private readonly budget: number;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore, @Optional() @Inject(STREAM_CACHE_BUDGET) budget?: number) {
    this.budget = budget ?? DEFAULT_EVENT_BUDGET;
  }

  /** Events held now, across all streams. */
  get size(): number {
    return this.held;
  }

  /** Whether the stream is held now (nothing is read). */
  holds(streamId: string): boolean {
    return this.streams.has(streamId);
  }

  /** The held state, or the stream read whole from the store when not held. */
  async load(streamId: string): Promise<StreamState> {
    const held = this.touch(streamId);
    if (held) return snapshot(streamId, held, false);
    return this.readWhole(streamId);
  }

  /** The state as the store has it now: the held events plus those stored since, read from the store. */
  async refresh(streamId: string): Promise<StreamState> {
    const held = this.touch(streamId);
    if (!held) return this.readWhole(streamId);
    const newer = await this.store.readStream(streamId, { fromRevision: held.events.length });
    if (newer.length === 0) return snapshot(streamId, held, true);
    // The stream moved while this was read, or was dropped: the newer events must follow on.
    if (this.streams.get(streamId) !== held || newer[0].revision !== held.events.length) return this.readWhole(streamId);
    this.extend(streamId, held, newer);
    return snapshot(streamId, held, true);
  }

  /**
   * Records a successful append decided on `before`: the events as the store holds them
   * (ids, revisions, positions and recording time from the store's answer, data and
   * metadata as JSON gives them back). When the held stream is no longer at `before`'s
   * revision it is dropped instead, and read again when next needed.
   */
  appended(before: StreamState, sent: readonly EventToAppend[], result: AppendResult): void {
    const held = this.streams.get(before.streamId);
    const expected = (before.revision ?? -1) + 1;
    const first = result.events[0]?.revision;
    if (first !== expected || result.events.length !== sent.length) return this.drop(before.streamId);
    const added = sent.map((event, i): StoredEvent => ({
      eventId: result.events[i].eventId,
      type: event.type,
      occurredOn: event.occurredOn ?? null,
      data: event.data === undefined ? null : roundTrip(event.data),
      metadata: roundTrip(event.metadata ?? {}) as Record<string, unknown>,
      streamId: before.streamId,
      recordedAt: result.events[i].recordedAt,
      revision: result.events[i].revision,
      position: result.events[i].position,
    }));
    if (held === undefined) {
      if (before.revision === null) this.hold(before.streamId, added);
      return; // or evicted meanwhile: read again when needed
    }
    if (held.events.length !== expected) return this.drop(before.streamId);
    this.extend(before.streamId, held, added);
  }

  /** Forgets a stream: the next load reads it whole from the store. */
  drop(streamId: string): void {
    const held = this.streams.get(streamId);
    if (held === undefined) return;
    this.streams.delete(streamId);
    this.held -= held.events.length;
  }

  clear(): void {
    this.streams.clear();
    this.held = 0;
  }

  private async readWhole(streamId: string): Promise<StreamState> {
    const events = await this.store.readStream(streamId);
    if (events.length === 0) return snapshot(streamId, { events, history: [], byId: new Map(), basis: EMPTY_BASIS }, true);
    return snapshot(streamId, this.hold(streamId, events), true);
  }

  private hold(streamId: string, events: StoredEvent[]): Held {
    this.drop(streamId);
    const history = events.map(toHistoryEntry);
    const held: Held = { events, history, byId: new Map(events.map((e) => [e.eventId, e])), basis: basisOf(history) };
    this.streams.set(streamId, held);
    this.held += events.length;
    this.evict(streamId);
    return held;
  }

  private extend(streamId: string, held: Held, added: readonly StoredEvent[]): void {
    const entries = added.map(toHistoryEntry);
    for (let i = 0; i < added.length; i++) {
      held.events.push(added[i]);
      held.history.push(entries[i]);
      held.byId.set(added[i].eventId, added[i]);
    }
    held.basis = extendBasis(held.basis, entries, () => held.history);
    this.held += added.length;
    this.evict(streamId);
  }

  /** The held stream, made the most recently used. */
  private touch(streamId: string): Held | undefined {
    const held = this.streams.get(streamId);
    if (held === undefined) return undefined;
    this.streams.delete(streamId);
    this.streams.set(streamId, held);
    return held;
  }

  /** Least recently used streams leave until the budget holds; the one just used stays even if alone over it. */
  private evict(keep: string): void {
    for (const [streamId, held] of this.streams) {
      if (this.held <= this.budget) return;
      if (streamId === keep) continue;
      this.streams.delete(streamId);
      this.held -= held.events.length;
    }
  }
}

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** A view of the held stream frozen at its current length. */
function snapshot(streamId: string, held: Held, confirmed: boolean): StreamState {
  const count = held.events.length;
  const basis = held.basis;
  return {
    streamId,
    revision: count === 0 ? null : count - 1,
    confirmed,
    basis,
    // Copies of the references (microseconds for thousands): appends after this never show through.
    events: () => held.events.slice(0, count),
    history: () => held.history.slice(0, count),
    eventById: (eventId) => {
      const event = held.byId.get(eventId);
      return event !== undefined && event.revision < count ? event : undefined;
    },
  };
}
