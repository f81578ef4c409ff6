import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { eventually } from '../../../test/support/job-driver.contract';
import { InProcessJobDriver } from './in-process-job-driver';
import { JobHandler } from './job-handler.decorator';
import { JOB_CONSUMER_QUEUES, JOB_DEFINITIONS_TOKEN, JOB_DRIVER, JobsService } from './jobs.service';

@Injectable()
class TouchHandler {
  seen: unknown[] = [];
  @JobHandler('auth.touch-key')
  async handle(payload: unknown): Promise<void> {
    this.seen.push(payload);
  }
}

@Injectable()
class SecondTouchHandler {
  @JobHandler('auth.touch-key')
  async handle(): Promise<void> {}
}

async function boot(providers: Array<new (...args: never[]) => unknown>) {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      JobsService,
      { provide: JOB_DRIVER, useValue: new InProcessJobDriver() },
      // Only the job these handlers serve: the real registry grows with every module.
      { provide: JOB_DEFINITIONS_TOKEN, useValue: { 'auth.touch-key': { queue: 'system', attempts: 3, backoffMs: 1000 } } },
      { provide: JOB_CONSUMER_QUEUES, useValue: ['system'] },
      ...providers,
    ],
  }).compile();
  return moduleRef.init();
}

describe('JobsService boot check (real Nest discovery)', () => {
  it('boots with exactly one handler per job and dispatches to it, building the dedupe jobId', async () => {
    const app = await boot([TouchHandler]);
    const jobs = app.get(JobsService);
    await jobs.enqueue('auth.touch-key', { keyId: 'k1', usedAtMs: 60_000 });
    await jobs.enqueue('auth.touch-key', { keyId: 'k1', usedAtMs: 61_000 }); // same minute: deduplicated if still pending
    await eventually(async () => (app.get(TouchHandler).seen.length > 0 ? true : null));
    expect(app.get(TouchHandler).seen[0]).toEqual({ keyId: 'k1', usedAtMs: 60_000 });
    await app.close();
  });

  it('fails to boot when a job has no handler', async () => {
    await expect(boot([])).rejects.toThrow('job registry is invalid: job "auth.touch-key" has no handler');
  });

  it('fails to boot when a job has two handlers', async () => {
    await expect(boot([TouchHandler, SecondTouchHandler])).rejects.toThrow(
      'job "auth.touch-key" has 2 handlers: TouchHandler.handle, SecondTouchHandler.handle',
    );
  });
});
