import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves once `condition` holds over the lines; rejects if the process exits first. */
  waitUntil(condition: (lines: readonly string[]) => boolean): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/** Runs a TypeScript file of this project in its own node process, from the project root. */
export function startNodeProcess(script: string, args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): NodeProcess {
  return startProcess(process.execPath, ['-r', '@swc-node/register', script, ...args], env);
}

/** Runs a command (e.g. `npm start`) from the project root, collecting its output the same way. */
export function startProcess(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): NodeProcess {
  const script = [command, ...args].join(' ');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  let ended = false;
  const waiters: { condition: (lines: readonly string[]) => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.condition(lines)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      } else if (ended) {
        waiters.splice(waiters.indexOf(w), 1);
        w.reject(new Error(`process ${script} ended first; stderr: ${stderr.slice(-2000)}`));
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('close', (code, signal) => {
      ended = true;
      check();
      done({ code, signal });
    });
  });
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    waitUntil: (condition) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ condition, resolve, reject });
        check();
      }),
  };
}
