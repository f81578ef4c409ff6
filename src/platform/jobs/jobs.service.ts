import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { type JobDefinitions, type JobName, type JobPayloads, type QueueName } from './job-definitions';
import type { DeadLetter, FlowEnvelope, JobDriver, JobEnvelope, QueueCounts } from './job-driver';
import { JOB_HANDLER_METADATA } from './job-handler.decorator';
import { checkJobHandlers, type BoundJobHandler, type DiscoveredHandler } from './job-registry';

export const JOB_DRIVER = Symbol('JOB_DRIVER');
export const JOB_DEFINITIONS_TOKEN = Symbol('JOB_DEFINITIONS');
export const JOB_CONSUMER_QUEUES = Symbol('JOB_CONSUMER_QUEUES');

export interface EnqueueRequest<N extends JobName> {
  delayMs?: number;
}

/** A job of a flow and the jobs that must complete before it. */
export interface FlowRequest<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  children?: FlowRequest[];
}

/**
 * The single entry point for enqueuing: it applies each job's retry policy and builds the dedupe
 * jobId, so no caller hand-rolls either.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private handlers = new Map<JobName, BoundJobHandler>();

  constructor(
    @Inject(JOB_DRIVER) readonly driver: JobDriver,
    @Inject(JOB_DEFINITIONS_TOKEN) private readonly definitions: JobDefinitions,
    @Inject(JOB_CONSUMER_QUEUES) private readonly consumerQueues: readonly QueueName[],
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const check = checkJobHandlers(this.definitions, this.discoverHandlers());
    if (check.kind === 'invalid') throw new Error(`job registry is invalid: ${check.problems.join('; ')}`);
    this.handlers = check.handlers;
    if (this.consumerQueues.length > 0) {
      await this.driver.startConsuming(this.consumerQueues, (name, payload, context) => {
        const handler = this.handlers.get(name as JobName);
        if (!handler) return Promise.reject(new Error(`no handler for job "${name}"`));
        return handler(payload, context);
      });
      this.logger.log(`consuming queues: ${this.consumerQueues.join(', ')} (${this.driver.kind})`);
    }
  }

  private discoverHandlers(): DiscoveredHandler[] {
    const found: DiscoveredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const jobName = Reflect.getMetadata(JOB_HANDLER_METADATA, prototype[method]);
        if (typeof jobName !== 'string') continue;
        const fn = instance[method] as (p: unknown, c: unknown) => Promise<void>;
        found.push({ jobName, owner: `${prototype.constructor.name}.${method}`, handle: (p, c) => fn.call(instance, p, c) });
      }
    }
    return found;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], request: EnqueueRequest<N> = {}): Promise<void> {
    await this.enqueueMany(name, [payload], request);
  }

  async enqueueMany<N extends JobName>(name: N, payloads: readonly JobPayloads[N][], request: EnqueueRequest<N> = {}): Promise<void> {
    await this.driver.enqueue(payloads.map((payload) => this.envelope(name, payload, request)));
  }

  /** Enqueues a flow: each job with its own definition's retry policy and dedupe id, run after its children. */
  async enqueueFlow(flow: FlowRequest): Promise<void> {
    await this.driver.enqueueFlow(this.flowEnvelope(flow));
  }

  private flowEnvelope(flow: FlowRequest): FlowEnvelope {
    return { ...this.envelope(flow.name, flow.payload, {}), children: flow.children?.map((child) => this.flowEnvelope(child)) };
  }

  private envelope<N extends JobName>(name: N, payload: JobPayloads[N], request: EnqueueRequest<N>): JobEnvelope {
    const definition = this.definitions[name] as JobDefinitions[N];
    const key = definition.dedupeKey?.(payload);
    return {
      name,
      payload,
      options: {
        queue: definition.queue,
        // BullMQ forbids ':' in custom ids.
        jobId: key === undefined ? undefined : `${name}.${key}`.replace(/:/g, '_'),
        delayMs: request.delayMs,
        attempts: definition.attempts,
        backoffMs: definition.backoffMs,
      },
    };
  }

  counts(): Promise<Record<QueueName, QueueCounts>> {
    return this.driver.counts();
  }

  deadLetters(queue: QueueName, limit = 100): Promise<DeadLetter[]> {
    return this.driver.deadLetters(queue, limit);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.driver.close();
  }
}

