import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FeedbackEvent } from '../../engine/feedback/events';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { JobsService } from '../../platform/jobs/jobs.service';
import { Public, Roles } from '../../platform/http/roles';
import { DeadLettersRepository } from './dead-letters.repository';
import { LIVE_PAGE_HTML } from './live-page';
import { DeadLetterQueryDto } from './reports.dto';

function describe(e: FeedbackEvent | null) {
  return {
    type: e?.type ?? null,
    decisionId: e?.claims?.d ?? null,
    campaignId: e?.claims?.c ?? null,
    occurredAt: e && Number.isFinite(e.occurredAtMs) ? new Date(e.occurredAtMs).toISOString() : null,
  };
}

@ApiTags('tracking')
@Controller()
export class FeedbackController {
  constructor(
    private readonly jobs: JobsService,
    private readonly deadLettersRepository: DeadLettersRepository,
  ) {}

  @Get('v1/feedback/dead-letters')
  @Roles('operator')
  @UseGuards(ManagementRateLimitGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Dead letters of the feedback worker, newest first: poisonEvents (refused by the database as data; never retried) and failedJobs (every retry failed, e.g. a long outage), with the error and the events.' })
  async deadLetters(@Query() query: DeadLetterQueryDto) {
    const limit = Math.min(1000, Math.max(1, Number(query.limit ?? 100)));
    const letters = await this.jobs.deadLetters('feedback', limit);
    const poison = await this.deadLettersRepository.newestPoisonEvents(limit);
    return {
      poisonEvents: poison.map((p) => ({ id: p.id, failedAt: p.failed_at.toISOString(), error: p.error, event: describe(p.event) })),
      failedJobs: letters.map((l) => {
        const events = ((l.payload as { events?: FeedbackEvent[] } | null)?.events ?? []).map(describe);
        return { jobId: l.jobId, name: l.name, error: l.error, attempts: l.attempts, failedAt: new Date(l.failedAtMs).toISOString(), events };
      }),
    };
  }

  // The page itself holds no data; it asks for a viewer key and sends it as a Bearer token to /v1/reports/live.
  @Get('console/live')
  @Public()
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:")
  livePage(): string {
    return LIVE_PAGE_HTML;
  }
}
