/**
 * The audit view's chain digests over HTTP against the real embedded SQLite store
 * (synthetic data only): an auditor can recompute them from what the route returns, and
 * an alteration of the database file behind the service's back shows in them.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../src/common/canonical-json';
import { chemoStarted, enrolled, followUp } from '../src/domain/testing/journey.fixtures';
import { EVENTS_FILE } from '../src/event-store/sqlite/sqlite-event-store';
import { startTestApp, type TestApp } from './support/test-app';

interface AuditedEvent {
  eventId: string;
  type: string;
  occurredOn?: string;
  data: unknown;
  metadata: Record<string, unknown>;
  actor: unknown;
  schemaVersion: number;
  recordedAt: string;
  revision: number;
  chainDigest: string;
}

/** The recipe an auditor follows with their own tools, from the route's answer alone (docs/decisions.md). */
function recompute(subjectId: string, events: readonly AuditedEvent[]): string[] {
  let previous = '';
  return events.map((e) => {
    const envelope = {
      streamId: `patient-${subjectId}`,
      revision: e.revision,
      eventId: e.eventId,
      type: e.type,
      occurredOn: e.occurredOn ?? null,
      data: e.data,
      metadata: { ...e.metadata, actor: e.actor, schemaVersion: e.schemaVersion },
      recordedAt: e.recordedAt,
    };
    previous = createHash('sha256').update(previous).update('\n').update(canonicalJson(envelope)).digest('hex');
    return previous;
  });
}

describe('chain digests in the audit view', () => {
  const subjectId = 'SYN-AUDIT-1';
  let dataDir: string;
  let t: TestApp;
  const audit = async (query = '') => (await t.request({ method: 'GET', url: `/v1/patients/${subjectId}/events${query}`, role: 'auditor' })).body;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'audit-digest-'));
    t = await startTestApp({ now: '2026-06-01T12:00:00.000Z', dataDir });
    expect((await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: [enrolled('2026-01-05'), chemoStarted('2026-01-08')] })).status).toBe(201);
    t.clock.set('2026-06-01T13:00:00.000Z');
    expect((await t.request({ method: 'POST', url: `/v1/patients/${subjectId}/events`, role: 'emitter', body: { ...followUp('2026-02-01'), metadata: { source: 'EDC-SYN' } } })).status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives every event a digest an auditor can recompute from the answer, and the head digest', async () => {
    const body = await audit();

    expect(body.events.map((e: AuditedEvent) => e.chainDigest)).toEqual(recompute(subjectId, body.events));
    expect(body.headDigest).toBe(body.events[2].chainDigest);
  });

  it('gives what was recorded before an instant the same digests it had in the whole stream', async () => {
    const whole = await audit();
    const before = await audit('?recordedBefore=2026-06-01T12:30:00Z');

    expect(before.events.map((e: AuditedEvent) => e.chainDigest)).toEqual(whole.events.slice(0, 2).map((e: AuditedEvent) => e.chainDigest));
    expect(before.headDigest).toBe(whole.events[1].chainDigest);
  });

  it('shows an alteration made in the database file behind the service: the digests from the altered event on change', async () => {
    // Given the head digest an auditor kept
    const kept = await audit();
    await t.close();

    // When someone with access to the file changes the start date of the chemotherapy
    const db = new Database(join(dataDir, EVENTS_FILE));
    db.prepare("UPDATE events SET occurred_on = '2026-01-09' WHERE stream_id = ? AND revision = 1").run(`patient-${subjectId}`);
    db.close();
    t = await startTestApp({ now: '2026-06-01T14:00:00.000Z', dataDir });

    // Then the enrollment's digest still matches, the later ones and the head do not
    const now = await audit();
    expect(now.events.map((e: AuditedEvent, i: number) => e.chainDigest === kept.events[i].chainDigest)).toEqual([true, false, false]);
    expect(now.headDigest).not.toBe(kept.headDigest);
  });
});
