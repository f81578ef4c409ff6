import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from '../../platform/health/health.service';
import { Public } from '../../platform/http/roles';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process is up and its event loop answers.' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({
    summary:
      'Readiness of the snapshot, database, Redis, counters, event intake and queues. 503 (down) only when this node cannot decide (no decision snapshot); ' +
      'PostgreSQL or Redis down, events spooled to disk, a queue no worker consumed or with old waiting jobs: 200 degraded, naming the component.',
  })
  @ApiOkResponse({ schema: { example: { status: 'degraded', components: { database: { status: 'up' }, redis: { status: 'down', detail: 'connect ECONNREFUSED' } } } } })
  @ApiServiceUnavailableResponse()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.health.readiness();
    if (result.status === 'down') reply.status(503);
    return result;
  }
}
