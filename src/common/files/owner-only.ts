import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/** Where a looser mode is reported: the file, the mode it had and the one it was given. */
export type LooseModeReport = (fields: { path: string; mode: string; madeMode: string }, message: string) => void;

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;
const STICKY = 0o1000;

/**
 * The data dir, owner-only (0700): created so, or tightened and reported when it is looser.
 * A sticky or foreign directory (DATA_DIR=/tmp, a mount point of another user) is only
 * reported: changing its mode would break what else lives there.
 */
export function ownerOnlyDir(dir: string, report: LooseModeReport): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if ((stat.mode & 0o077) === 0) return;
  const ours = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if ((stat.mode & STICKY) !== 0 || !ours) {
    report({ path: dir, mode: octal(stat.mode), madeMode: octal(stat.mode) }, 'the data dir can be read by other users, and is not the service\'s own to tighten: give the service a dir of its own (mode 0700)');
    return;
  }
  chmodSync(dir, 0o700);
  report({ path: dir, mode: octal(stat.mode), madeMode: '0700' }, 'the data dir could be read by other users: made owner-only');
}

/**
 * A SQLite database file and its companions (-wal, -shm, -journal), owner-only (0600).
 * A missing database file is created empty at 0600 before SQLite opens it, because SQLite
 * creates its companions with the database file's mode, whatever the umask. An existing
 * looser one is tightened and reported.
 */
export function ownerOnlyDatabaseFile(file: string, report: LooseModeReport): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    let mode: number;
    try {
      mode = statSync(path).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) === 0) continue;
    chmodSync(path, 0o600);
    report({ path, mode: octal(mode), madeMode: '0600' }, 'clinical data could be read by other users: made owner-only');
  }
}

/** The mode of a file when other users may read or write it, else null. */
export function looserThanOwnerOnly(path: string): string | null {
  const mode = statSync(path).mode;
  return (mode & 0o077) === 0 ? null : octal(mode);
}
