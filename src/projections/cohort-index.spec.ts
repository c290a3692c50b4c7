import { Subject } from 'rxjs';
import { CohortIndex } from './cohort-index';
import type { PatientProjector } from './patient.projector';
import { openReadModelDatabase } from './read-model.database';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('CohortIndex', () => {
  it('loads the rows in pages at start and still sees rows that changed or arrived meanwhile', async () => {
    // Given a read model of 4,500 synthetic patients (three pages)
    const db = openReadModelDatabase(null);
    const insert = db.prepare('INSERT INTO patient (subject_id, revision, position, dirty) VALUES (?, ?, ?, 0)');
    db.transaction(() => {
      for (let n = 1; n <= 4500; n++) insert.run(`SYN-${String(n).padStart(5, '0')}`, 0, n);
    })();
    const changes = new Subject<readonly string[] | 'reset'>();
    const index = new CohortIndex(db, { changes } as unknown as PatientProjector);

    // When the load starts, and after its first page a loaded row changes and a row arrives before the cursor
    index.onApplicationBootstrap();
    await nextTurn();
    db.prepare("UPDATE patient SET revision = 7 WHERE subject_id = 'SYN-00001'").run();
    insert.run('SYN-00000', 0, 4501);
    changes.next(['SYN-00001', 'SYN-00000']);
    for (let turn = 0; turn < 4; turn++) await nextTurn();

    // Then the index holds every row in subject order, as the table stands now
    const rows = index.inOrder();
    expect(rows).toHaveLength(4501);
    expect(rows.slice(0, 2).map((r) => [r.subject_id, r.revision])).toEqual([
      ['SYN-00000', 0],
      ['SYN-00001', 7],
    ]);
    expect(rows.every((r, i) => i === 0 || rows[i - 1].subject_id < r.subject_id)).toBe(true);
    index.onModuleDestroy();
    db.close();
  });

  it('makes a report that comes during the load wait for its pages instead of holding the event loop for every row', async () => {
    // Given a read model of 4,500 synthetic patients (three pages) and a load just started
    const db = openReadModelDatabase(null);
    const insert = db.prepare('INSERT INTO patient (subject_id, revision, position, dirty) VALUES (?, 0, ?, 0)');
    db.transaction(() => {
      for (let n = 1; n <= 4500; n++) insert.run(`SYN-${String(n).padStart(5, '0')}`, n);
    })();
    const index = new CohortIndex(db, { changes: new Subject() } as unknown as PatientProjector);
    index.onApplicationBootstrap();

    // When a report asks for the rows at once
    let answered = false;
    const asked = index.loaded().then((rows) => ((answered = true), rows));
    let turnsBeforeAnswer = 0;
    while (!answered) {
      await nextTurn();
      turnsBeforeAnswer++;
    }

    // Then it gets every row once the pages are in, and other work ran between the pages
    expect(await asked).toHaveLength(4500);
    expect(turnsBeforeAnswer).toBeGreaterThanOrEqual(3);
    index.onModuleDestroy();
    db.close();
  });

  it('stops a load under way when the read model is reset, and loads afresh when asked', async () => {
    const db = openReadModelDatabase(null);
    const insert = db.prepare('INSERT INTO patient (subject_id, revision, position, dirty) VALUES (?, 0, ?, 0)');
    db.transaction(() => {
      for (let n = 1; n <= 4500; n++) insert.run(`SYN-${String(n).padStart(5, '0')}`, n);
    })();
    const changes = new Subject<readonly string[] | 'reset'>();
    const index = new CohortIndex(db, { changes } as unknown as PatientProjector);

    index.onApplicationBootstrap();
    await nextTurn();
    db.prepare('DELETE FROM patient').run();
    changes.next('reset');
    insert.run('SYN-99999', 1);
    for (let turn = 0; turn < 4; turn++) await nextTurn();

    expect((await index.loaded()).map((r) => r.subject_id)).toEqual(['SYN-99999']);
    index.onModuleDestroy();
    db.close();
  });
});
