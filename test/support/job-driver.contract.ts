import type { JobDispatcher, JobDriver } from '../../src/platform/jobs/job-driver';

/**
 * The behaviour both job drivers must share. Each driver's test file calls this with a factory;
 * the BullMQ one runs against real Redis in the integration suite.
 */
export function jobDriverContract(name: string, makeDriver: () => Promise<JobDriver>): void {
  describe(`job driver contract: ${name}`, () => {
    let driver: JobDriver;
    const handlers = new Map<string, JobDispatcher>();
    const dispatch: JobDispatcher = (jobName, payload, context) => {
      const handler = handlers.get(jobName);
      return handler ? handler(jobName, payload, context) : Promise.reject(new Error(`no handler ${jobName}`));
    };

    beforeEach(async () => {
      handlers.clear();
      driver = await makeDriver();
      await driver.startConsuming(['system'], dispatch);
    });
    afterEach(async () => {
      await driver.close();
    });

    const base = { queue: 'system' as const, attempts: 1, backoffMs: 10 };

    it('runs a job with its payload', async () => {
      const seen = waitFor<unknown>();
      handlers.set('t.echo', async (_n, payload) => seen.resolve(payload));
      await driver.enqueue([{ name: 't.echo', payload: { a: 1, b: 'x' }, options: base }]);
      await expect(seen.promise).resolves.toEqual({ a: 1, b: 'x' });
    });

    it('retries a failing job with backoff until it succeeds', async () => {
      const attempts: number[] = [];
      const done = waitFor<void>();
      handlers.set('t.flaky', async (_n, _p, context) => {
        attempts.push(context.attempt);
        if (context.attempt < 3) throw new Error('transient');
        done.resolve();
      });
      await driver.enqueue([{ name: 't.flaky', payload: {}, options: { ...base, attempts: 5, backoffMs: 20 } }]);
      await done.promise;
      expect(attempts).toEqual([1, 2, 3]);
    });

    it('moves a job that keeps failing to the dead-letter list', async () => {
      handlers.set('t.poison', async () => {
        throw new Error('poison payload');
      });
      await driver.enqueue([{ name: 't.poison', payload: { id: 7 }, options: { ...base, attempts: 2, backoffMs: 10, jobId: 'poison-7' } }]);
      const letters = await eventually(async () => {
        const list = await driver.deadLetters('system', 10);
        return list.length > 0 ? list : null;
      });
      expect(letters[0]).toMatchObject({ jobId: 'poison-7', name: 't.poison', payload: { id: 7 }, error: 'poison payload', attempts: 2 });
      expect((await driver.counts()).system.failed).toBe(1);
    });

    it('reports per queue its depth, when its oldest waiting job was enqueued, and when a worker last consumed it', async () => {
      const learning = { ...base, queue: 'learning' as const };
      const beforeMs = Date.now();
      await driver.enqueue([{ name: 't.wait', payload: { n: 1 }, options: learning }]);
      const afterFirstMs = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      await driver.enqueue([{ name: 't.wait', payload: { n: 2 }, options: learning }]);
      const activity = await driver.activity();
      expect(activity.learning.waiting).toBe(2);
      expect(activity.learning.oldestWaitingAtMs).toBeGreaterThanOrEqual(beforeMs);
      expect(activity.learning.oldestWaitingAtMs).toBeLessThanOrEqual(afterFirstMs);
      // nobody consumes 'learning' here; 'system' is consumed since beforeEach
      expect(activity.learning.consumedAtMs).toBeNull();
      expect(activity.system.consumedAtMs).toBeGreaterThan(Date.now() - 60_000);
      expect(activity.system).toMatchObject({ waiting: 0, oldestWaitingAtMs: null });
    });

    it('deduplicates jobs with the same jobId while pending', async () => {
      const release = waitFor<void>();
      let runs = 0;
      handlers.set('t.slow', async () => {
        runs++;
        await release.promise;
      });
      await driver.enqueue([{ name: 't.slow', payload: {}, options: { ...base, jobId: 'same' } }]);
      await driver.enqueue([
        { name: 't.slow', payload: {}, options: { ...base, jobId: 'same' } },
        { name: 't.slow', payload: {}, options: { ...base, jobId: 'same' } },
      ]);
      await eventually(async () => (runs === 1 ? true : null));
      release.resolve();
      await new Promise((r) => setTimeout(r, 150));
      expect(runs).toBe(1);
    });

    it('runs a delayed job no earlier than its delay', async () => {
      const ran = waitFor<number>();
      handlers.set('t.later', async () => ran.resolve(Date.now()));
      const start = Date.now();
      await driver.enqueue([{ name: 't.later', payload: {}, options: { ...base, delayMs: 300 } }]);
      expect((await ran.promise) - start).toBeGreaterThanOrEqual(290);
    });

    it('runs a flow child-first: each job after all its children completed', async () => {
      const order: string[] = [];
      const done = waitFor<void>();
      handlers.set('t.stage', async (_n, payload) => {
        order.push((payload as { stage: string }).stage);
        if ((payload as { stage: string }).stage === 'c') done.resolve();
      });
      const stage = (s: string, children: { name: string; payload: unknown; options: typeof base }[] = []) => ({ name: 't.stage', payload: { stage: s }, options: base, children });
      await driver.enqueueFlow(stage('c', [stage('b', [stage('a')])]));
      await done.promise;
      expect(order).toEqual(['a', 'b', 'c']);
    });

    it('retries a failing flow child and then runs its parent', async () => {
      const order: string[] = [];
      const done = waitFor<void>();
      handlers.set('t.child', async (_n, _p, context) => {
        order.push(`child#${context.attempt}`);
        if (context.attempt < 2) throw new Error('transient');
      });
      handlers.set('t.parent', async () => {
        order.push('parent');
        done.resolve();
      });
      await driver.enqueueFlow({
        name: 't.parent',
        payload: {},
        options: base,
        children: [{ name: 't.child', payload: {}, options: { ...base, attempts: 3, backoffMs: 10 } }],
      });
      await done.promise;
      expect(order).toEqual(['child#1', 'child#2', 'parent']);
    });

    it('waits for a running job on close (graceful drain)', async () => {
      let finished = false;
      const started = waitFor<void>();
      handlers.set('t.drain', async () => {
        started.resolve();
        await new Promise((r) => setTimeout(r, 200));
        finished = true;
      });
      await driver.enqueue([{ name: 't.drain', payload: {}, options: base }]);
      await started.promise;
      await driver.close();
      expect(finished).toBe(true);
    });
  });
}

export function waitFor<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls until fn returns non-null, or fails after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | null>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
