import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, openReadModelDatabase, READ_MODEL_FILE } from './read-model.database';

describe('read-model database', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'read-model-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A file as the build before the last migration left it, with one folded patient and its checkpoint. */
  function fileAtVersion(version: number): void {
    const db = new Database(join(dir, READ_MODEL_FILE));
    for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
    db.pragma(`user_version = ${version}`);
    db.prepare(`INSERT INTO patient (subject_id, revision, position, dirty, primary_at_last) VALUES ('SYN-001', 7, 42, 0, 'NO_EVENT')`).run();
    db.prepare(`INSERT INTO patient_facts (subject_id, facts, aes) VALUES ('SYN-001', '{}', '[]')`).run();
    db.prepare(`INSERT INTO checkpoint (name, position) VALUES ('patients', 42)`).run();
    db.close();
  }

  it('given rows folded by the build before the fold changed, when opened, then they and the checkpoint are gone, so the projector folds from position 0', () => {
    fileAtVersion(3);

    const db = openReadModelDatabase(dir);

    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT count(*) FROM patient').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM patient_facts').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM checkpoint').pluck().get()).toBe(0);
    db.close();
  });

  it('given a file already at the current version, when opened again, then its rows stay', () => {
    fileAtVersion(MIGRATIONS.length);

    const db = openReadModelDatabase(dir);

    expect(db.prepare('SELECT subject_id, revision, position FROM patient').all()).toEqual([{ subject_id: 'SYN-001', revision: 7, position: 42 }]);
    expect(db.prepare(`SELECT position FROM checkpoint WHERE name = 'patients'`).pluck().get()).toBe(42);
    db.close();
  });

  it('refuses a file written by a newer schema, naming the file to delete', () => {
    const db = new Database(join(dir, READ_MODEL_FILE));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();

    expect(() => openReadModelDatabase(dir)).toThrow(`delete ${READ_MODEL_FILE} to rebuild it`);
  });
});
