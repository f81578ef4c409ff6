import type { JobDefinitions, JobName, JobPayloads } from './job-definitions';
import type { JobContext } from './job-driver';

export type BoundJobHandler = (payload: unknown, context: JobContext) => Promise<void>;

export interface DiscoveredHandler {
  readonly jobName: string;
  /** "ClassName.method", for the boot error message. */
  readonly owner: string;
  readonly handle: BoundJobHandler;
}

export type HandlerCheck = { kind: 'ok'; handlers: Map<JobName, BoundJobHandler> } | { kind: 'invalid'; problems: string[] };

/**
 * Boot check: every defined job has exactly one handler, and no handler names an unknown job.
 * Pure so that it can be table-tested; JobsService calls it with what Nest discovery found.
 */
export function checkJobHandlers(definitions: JobDefinitions, discovered: readonly DiscoveredHandler[]): HandlerCheck {
  const problems: string[] = [];
  const byName = new Map<string, DiscoveredHandler[]>();
  for (const handler of discovered) byName.set(handler.jobName, [...(byName.get(handler.jobName) ?? []), handler]);
  for (const name of Object.keys(definitions)) {
    const found = byName.get(name) ?? [];
    if (found.length === 0) problems.push(`job "${name}" has no handler`);
    if (found.length > 1) problems.push(`job "${name}" has ${found.length} handlers: ${found.map((h) => h.owner).join(', ')}`);
  }
  for (const [name, found] of byName) {
    if (!(name in definitions)) problems.push(`handler ${found.map((h) => h.owner).join(', ')} is for unknown job "${name}"`);
  }
  if (problems.length > 0) return { kind: 'invalid', problems };
  const handlers = new Map<JobName, BoundJobHandler>();
  for (const [name, found] of byName) handlers.set(name as JobName, found[0].handle);
  return { kind: 'ok', handlers };
}

export type TypedJob<N extends JobName = JobName> = { name: N; payload: JobPayloads[N] };
