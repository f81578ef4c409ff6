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
  @ApiOperation({ summary: 'Readiness: database, Redis and queues. 200 when ok or degraded (still serving), 503 when down.' })
  @ApiOkResponse({ schema: { example: { status: 'degraded', components: { database: { status: 'up' }, redis: { status: 'down', detail: 'connect ECONNREFUSED' } } } } })
  @ApiServiceUnavailableResponse()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.health.readiness();
    if (result.status === 'down') reply.status(503);
    return result;
  }
}
