import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';

/** JSON held across all views by default. */
export const DEFAULT_VIEW_BYTES = 64 * 2 ** 20;

/** Patients whose latest view revision is remembered. */
const MAX_REVISIONS = 200_000;

/** DI token of the byte budget, so tests and benchmarks can set it. */
export const RECORD_CACHE_BYTES = Symbol('RECORD_CACHE_BYTES');

/** A derived view as sent: its JSON and the strong validator of exactly those bytes. */
export interface CachedView {
  readonly etag: string;
  readonly json: string;
}

/**
 * What a view is a pure function of: the patient's stream at a revision, the clinical
 * date and the recording-time cut. A new event makes a new revision, so an entry is never
 * wrong, only unused; it leaves when the budget needs the room.
 */
export function viewKey(kind: 'record' | 'timeline', subjectId: string, revision: number, asOf: string, recordedBefore: string | null): string {
  return `${kind}\u0000${subjectId}\u0000${revision}\u0000${asOf}\u0000${recordedBefore ?? ''}`;
}

/**
 * Serialised patient records and timelines, so a repeated read skips the fold and the
 * serialisation. The ETag is a digest of the JSON itself, not of the key: equal bytes have
 * equal validators whichever instance, restart or path produced them, and a changed rule
 * in a new build changes the bytes and so the validator. Bounded by bytes of JSON held,
 * least recently used first.
 */
@Injectable()
export class RecordCache {
  private readonly views = new Map<string, CachedView>();
  /** The revision each patient's latest view was made at: what a read checks the stream against. */
  private readonly revisions = new Map<string, number>();
  private bytes = 0;
  private readonly budget: number;

  constructor(@Optional() @Inject(RECORD_CACHE_BYTES) budget?: number) {
    this.budget = budget ?? DEFAULT_VIEW_BYTES;
  }

  get size(): number {
    return this.views.size;
  }

  get(key: string): CachedView | undefined {
    const view = this.views.get(key);
    if (view === undefined) return undefined;
    this.views.delete(key);
    this.views.set(key, view);
    return view;
  }

  /** The revision of the patient's latest view, if any is held. */
  revisionOf(subjectId: string): number | undefined {
    return this.revisions.get(subjectId);
  }

  /** Serialises the body once and holds it. */
  put(key: string, body: unknown, subjectId: string, revision: number): CachedView {
    const view = viewOf(body);
    this.revisions.delete(subjectId);
    this.revisions.set(subjectId, revision);
    // A few dozen bytes a patient: bounded by a count, oldest first.
    if (this.revisions.size > MAX_REVISIONS) this.revisions.delete(this.revisions.keys().next().value!);
    const previous = this.views.get(key);
    if (previous !== undefined) this.bytes -= previous.json.length;
    this.views.delete(key);
    this.views.set(key, view);
    this.bytes += view.json.length;
    for (const [k, v] of this.views) {
      if (this.bytes <= this.budget || k === key) break;
      this.views.delete(k);
      this.bytes -= v.json.length;
    }
    return view;
  }

  clear(): void {
    this.views.clear();
    this.revisions.clear();
    this.bytes = 0;
  }
}

export function viewOf(body: unknown): CachedView {
  const json = JSON.stringify(body);
  return { json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 32)}"` };
}

/**
 * True when If-None-Match names the view's validator: a list of entity tags, weak ones
 * compared weakly (RFC 9110 13.1.2), or `*`.
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Sends a view: its ETag always, 304 with no body when the client holds it already,
 * else the JSON as held (Fastify sends a string with a JSON type as it is).
 */
export function sendView(reply: FastifyReply, view: CachedView, ifNoneMatch: string | undefined): string | undefined {
  // Clients may keep it but must ask again before using it: a new event changes it at any time.
  void reply.header('etag', view.etag).header('cache-control', 'private, no-cache');
  if (notModified(ifNoneMatch, view.etag)) {
    void reply.status(304);
    return undefined;
  }
  void reply.type('application/json; charset=utf-8');
  return view.json;
}
