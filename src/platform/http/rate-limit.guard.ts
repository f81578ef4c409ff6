import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Management endpoints are rate-limited per API key (falling back to the client address), so one
 * runaway script can't starve the others. Decision and tracking routes are not: they are sized by capacity.
 */
@Injectable()
export class ManagementRateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    return req.apiKey?.id ?? req.ip ?? 'unknown';
  }
}
