import type { HistoryEntry } from '../domain/history/effective-history';

/**
 * The events of recently touched patients, each list complete from revision 0 without a
 * gap, least recently touched first (a Map keeps insertion order). It spares the
 * projector reading a patient's stream back from the store when it folds: in a catch-up
 * from position 0 every patient's events pass through here on their way from the log.
 * Bounded by events held, not patients, since that is what costs memory.
 */
export class HistoryCache {
  private readonly byPatient = new Map<string, HistoryEntry[]>();
  private held = 0;

  constructor(private budget: number) {}

  /** Changes the budget; patients beyond a smaller one leave at once, least recently touched first. */
  resize(budget: number): void {
    this.budget = budget;
    this.evict(this.overflow());
  }

  get size(): number {
    return this.held;
  }

  /** The patient's events from revision 0, when held; the list is the cache's own. */
  get(subjectId: string): readonly HistoryEntry[] | undefined {
    return this.byPatient.get(subjectId);
  }

  /**
   * Adds the event that follows the held ones. One that leaves a gap (the patient's
   * earlier events were never seen here, or were evicted) drops the patient instead;
   * one already held changes nothing.
   */
  add(subjectId: string, entry: HistoryEntry): void {
    const entries = this.byPatient.get(subjectId);
    if (entries === undefined) {
      if (entry.revision === 0) this.put(subjectId, [entry]);
      return;
    }
    if (entry.revision < entries.length) return;
    this.byPatient.delete(subjectId);
    if (entry.revision > entries.length) {
      this.held -= entries.length;
      return;
    }
    entries.push(entry);
    this.held += 1;
    this.byPatient.set(subjectId, entries);
  }

  /** Holds a patient's whole history read from elsewhere (the store). */
  put(subjectId: string, entries: HistoryEntry[]): void {
    const previous = this.byPatient.get(subjectId);
    if (previous !== undefined) {
      this.byPatient.delete(subjectId);
      this.held -= previous.length;
    }
    this.byPatient.set(subjectId, entries);
    this.held += entries.length;
  }

  /** The least recently touched patients that must go for the cache to fit its budget, oldest first; they stay until `evict`. */
  overflow(): string[] {
    const out: string[] = [];
    let held = this.held;
    for (const [subjectId, entries] of this.byPatient) {
      if (held <= this.budget) break;
      out.push(subjectId);
      held -= entries.length;
    }
    return out;
  }

  evict(subjectIds: Iterable<string>): void {
    for (const subjectId of subjectIds) {
      const entries = this.byPatient.get(subjectId);
      if (entries === undefined) continue;
      this.byPatient.delete(subjectId);
      this.held -= entries.length;
    }
  }

  clear(): void {
    this.byPatient.clear();
    this.held = 0;
  }
}
