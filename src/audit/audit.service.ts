import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock/clock';
import { ProblemError } from '../common/problem/problem';
import { utcDateOf } from '../domain/calendar/clinical-date';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import type { Seal } from '../event-store/log-seal';
import { patientStreamId, PATIENT_STREAM_PREFIX, subjectIdOf } from '../event-store/patient-stream';
import { changeTrail } from './change-trail';
import { verifyStore, type VerificationReport } from './log-verifier';

/** What auditors read: seals, verification, the list of subjects and one patient's change trail. */
@Injectable()
export class AuditService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async seals(fromSequence = 1, limit = 1000): Promise<{ seals: Seal[]; next: number | null }> {
    const seals = await this.store.readSeals({ fromSequence, maxCount: limit + 1 });
    const page = seals.slice(0, limit);
    return { seals: page, next: seals.length > limit ? seals[limit].sequence : null };
  }

  /**
   * A kept seal may come whole (POST) or as its count and root (GET): the two prove the
   * content; a partial one is checked by root at its count only.
   */
  verify(kept: readonly Seal[]): Promise<VerificationReport> {
    return verifyStore(this.store, kept);
  }

  async subjects(after: string | undefined, limit = 100) {
    const streams = await this.store.listStreams({ after: after === undefined ? PATIENT_STREAM_PREFIX : patientStreamId(after), limit: limit + 1 });
    const ours = streams.filter((s) => s.streamId.startsWith(PATIENT_STREAM_PREFIX));
    const page = ours.slice(0, limit).map(({ streamId, ...rest }) => ({ subjectId: subjectIdOf(streamId)!, ...rest }));
    return { subjects: page, next: ours.length > limit ? page[page.length - 1].subjectId : null };
  }

  async trail(subjectId: string, asOf: string | undefined) {
    const stored = await this.store.readStream(patientStreamId(subjectId));
    if (stored.length === 0) throw new ProblemError(404, 'PATIENT_NOT_FOUND', `No patient with subject id ${subjectId}.`);
    const date = asOf ?? utcDateOf(this.clock.now());
    return { subjectId, asOf: date, events: changeTrail(subjectId, stored, date) };
  }
}
