import { Body, Controller, Get, HttpException, Param, Post, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { isEventType } from '../../engine/feedback/events';
import { Public, Roles } from '../../platform/http/roles';
import { SnapshotService } from '../snapshot';
import { NotDurableError } from '../../platform/jobs/spooled-jobs.service';
import { EventIntakeService, type VerifiedEvent } from './event-intake.service';
import { EventBatchDto } from './tracking.dto';

// The smallest transparent GIF: what an <img> impression pixel expects.
const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function rejection(verified: Extract<VerifiedEvent, { kind: 'rejected' }>): HttpException {
  return new HttpException({ statusCode: verified.status, error: verified.status === 410 ? 'Gone' : 'Bad Request', message: verified.error }, verified.status);
}

function notDurable(error: NotDurableError): ServiceUnavailableException {
  return new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: `nothing was accepted, send the batch again later: ${error.message}` });
}

@ApiTags('tracking')
@Controller()
export class TrackingController {
  constructor(
    private readonly intake: EventIntakeService,
    private readonly snapshots: SnapshotService,
  ) {}

  @Get('v1/t/:type')
  @Public()
  @ApiOperation({
    summary:
      'A signed tracking link (from a decision response). impression → 1×1 GIF; click → 302 to the landing page; conversion, skip → 204. ' +
      'Each link has its own token: another link\'s token, an altered or forged one → 400; expired → 410; neither changes anything. ' +
      'Replays are accepted and counted once. Answers whether or not Redis does: the event is queued, or spooled to disk and forwarded later.',
  })
  @ApiResponse({ status: 200, description: 'impression pixel' })
  @ApiResponse({ status: 302, description: 'click: redirect to the landing URL' })
  @ApiResponse({ status: 204, description: 'conversion or skip recorded' })
  async link(@Param('type') type: string, @Query('t') token: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer | undefined> {
    if (!isEventType(type)) throw new HttpException({ statusCode: 404, error: 'Not Found', message: 'tracking link type must be impression, click, conversion or skip' }, 404);
    const verified = await this.intake.acceptLink(type, token);
    if (verified.kind === 'rejected') throw rejection(verified);
    reply.header('cache-control', 'no-store');
    if (type === 'click') {
      const claims = verified.event.claims;
      const creative = this.snapshots.current().snapshot.campaignsById.get(claims.c)?.creatives.find((c) => c.id === claims.cr);
      if (!creative) throw new HttpException({ statusCode: 404, error: 'Not Found', message: 'click recorded, but this ad is no longer in delivery and has no landing page' }, 404);
      void reply.redirect(creative.landingUrl, 302);
      return undefined;
    }
    if (type === 'impression') {
      reply.status(200).header('content-type', 'image/gif');
      return PIXEL_GIF;
    }
    reply.status(204);
    return undefined;
  }

  @Post('v1/events')
  @Roles('slot-client')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'A batch of up to 500 events from the app. 202 once the good ones are durable, with {accepted, rejected: [{index, status, error}], durableIn}: ' +
      'durableIn is "queue", or "spool" when the queue did not answer and they were written to this node\'s disk spool (forwarded when it answers). ' +
      'If none is good: 410 when all were expired, else 400, with the same body. 503 only when neither the queue nor the spool took them (nothing accepted).',
  })
  @ApiResponse({ status: 202, schema: { example: { accepted: 2, rejected: [{ index: 1, status: 400, error: 'token signature does not match' }], durableIn: 'queue' } } })
  async batch(@Body() body: EventBatchDto, @Res({ passthrough: true }) reply: FastifyReply) {
    let result;
    try {
      result = await this.intake.acceptBatch(body.events);
    } catch (error) {
      if (error instanceof NotDurableError) throw notDurable(error);
      throw error;
    }
    if (result.accepted === 0) {
      const status = result.rejected.every((r) => r.status === 410) ? 410 : 400;
      throw new HttpException({ statusCode: status, error: status === 410 ? 'Gone' : 'Bad Request', message: 'no event was accepted', ...result }, status);
    }
    reply.status(202);
    return result;
  }
}
