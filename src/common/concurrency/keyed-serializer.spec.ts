import fc from 'fast-check';
import { KeyedSerializer, QueueFullError } from './keyed-serializer';

/** A task the test finishes by hand, so no timing decides the order. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { promise, open, fail };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedSerializer', () => {
  it('runs the tasks of one key one at a time, in order, and of other keys meanwhile', async () => {
    // Given two tasks queued on key a and one on key b
    const serializer = new KeyedSerializer(10);
    const started: string[] = [];
    const first = gate();
    const a1 = serializer.run('a', async () => (started.push('a1'), first.promise));
    const a2 = serializer.run('a', async () => void started.push('a2'));
    const b1 = serializer.run('b', async () => void started.push('b1'));

    // When the first of a is still running
    await settle();

    // Then the second of a waits and b runs
    expect(started).toEqual(['a1', 'b1']);
    first.open();
    await Promise.all([a1, a2, b1]);
    expect(started).toEqual(['a1', 'b1', 'a2']);
  });

  it('goes on after a failed task, and hands each caller its own outcome', async () => {
    const serializer = new KeyedSerializer(10);
    const failing = serializer.run('a', () => Promise.reject(new Error('synthetic failure')));
    const next = serializer.run('a', () => Promise.resolve(42));

    await expect(failing).rejects.toThrow('synthetic failure');
    await expect(next).resolves.toBe(42);
  });

  it('keeps no entry for a key once its tasks are done', async () => {
    const serializer = new KeyedSerializer(10);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => serializer.run(`key-${i % 100}`, () => Promise.resolve(i))));
    await serializer.run('last', () => Promise.reject(new Error('x'))).catch(() => undefined);
    await settle();

    expect(serializer.activeKeys).toBe(0);
  });

  it('refuses a task beyond the limit of its key, and takes one again once there is room', async () => {
    // Given key a holding its 2 allowed tasks
    const serializer = new KeyedSerializer(2);
    const first = gate();
    const held = [serializer.run('a', () => first.promise), serializer.run('a', () => Promise.resolve())];

    // When a third comes for a, and one for b
    const refused = serializer.run('a', () => Promise.resolve());
    const other = serializer.run('b', () => Promise.resolve('b'));

    // Then a's is refused, b's runs; and a takes tasks again once drained
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(other).resolves.toBe('b');
    first.open();
    await Promise.all(held);
    await expect(serializer.run('a', () => Promise.resolve('again'))).resolves.toBe('again');
  });

  it('never overlaps two tasks of a key and runs them in submission order, for any schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { minLength: 1, maxLength: 40 }), fc.scheduler(), async (tasks, s) => {
        const serializer = new KeyedSerializer(100);
        const running = new Set<string>();
        const order: Record<string, number[]> = { a: [], b: [], c: [] };
        const runs = tasks.map(([key, fails], i) =>
          serializer
            .run(key, async () => {
              expect(running.has(key)).toBe(false);
              running.add(key);
              order[key].push(i);
              await s.schedule(Promise.resolve());
              running.delete(key);
              if (fails) throw new Error('synthetic');
            })
            .catch(() => undefined),
        );
        // A task is scheduled only once the one before it on its key has finished: release until all are done.
        let finished = false;
        const all = Promise.all(runs).then(() => (finished = true));
        while (!finished) {
          await s.waitAll();
          await settle();
        }
        await all;
        for (const key of ['a', 'b', 'c']) {
          expect(order[key]).toEqual(tasks.flatMap(([k], i) => (k === key ? [i] : [])));
        }
        await settle();
        expect(serializer.activeKeys).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
