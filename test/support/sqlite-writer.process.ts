import { join, resolve } from 'node:path';
import { startNodeProcess, type NodeProcess } from './node-process';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'test/support/sqlite-writer.child.ts');

export type WriterProcess = NodeProcess;

/** Runs test/support/sqlite-writer.child.ts in its own node process. */
export function startWriterProcess(args: readonly string[]): WriterProcess {
  return startNodeProcess(SCRIPT, args);
}
