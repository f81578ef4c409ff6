import { Injectable } from '@nestjs/common';
import { withTimeout } from '../util/with-timeout';

export type ComponentStatus = 'up' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentStatus;
  detail?: string;
}

interface Contributor {
  check: () => Promise<ComponentHealth>;
  /** A critical component down makes the node unready (503); a non-critical one only degrades it. */
  critical: boolean;
}

const CHECK_TIMEOUT_MS = 1500;

/** Components register their readiness check here; /health/ready aggregates them. */
@Injectable()
export class HealthService {
  private readonly contributors = new Map<string, Contributor>();

  register(name: string, check: () => Promise<ComponentHealth>, options: { critical: boolean }): void {
    this.contributors.set(name, { check, critical: options.critical });
  }

  async readiness(): Promise<{ status: 'ok' | 'degraded' | 'down'; components: Record<string, ComponentHealth> }> {
    const components: Record<string, ComponentHealth> = {};
    let status: 'ok' | 'degraded' | 'down' = 'ok';
    await Promise.all(
      [...this.contributors].map(async ([name, contributor]) => {
        const result = await withTimeout(contributor.check(), CHECK_TIMEOUT_MS).catch(
          (error: unknown): ComponentHealth => ({ status: 'down', detail: error instanceof Error ? error.message : String(error) }),
        );
        components[name] = result;
        if (result.status === 'down' && contributor.critical) status = 'down';
        else if (result.status !== 'up' && status !== 'down') status = 'degraded';
      }),
    );
    return { status, components };
  }
}
