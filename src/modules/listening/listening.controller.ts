import { Body, Controller, Get, Header, HttpCode, Inject, NotFoundException, Param, PayloadTooLargeException, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { validationError } from '../../platform/http/validation';
import { APP_CONFIG } from '../../platform/tokens';
import { unwrap, mediaTypeOf, streamedBody } from '../../platform/http/raw-upload';
import { LineTooLongError, UploadTooLargeError } from '../../platform/http/stream-lines';
import { Roles } from '../../platform/http/roles';
import { ColdStartDto, LookalikeDto, TrainDto } from './listening.dto';
import { ListeningImportService, type ListeningImportReport } from './listening-import.service';
import { ListeningService } from './listening.service';

const IMPORT_TYPES = ['text/plain', 'application/x-ndjson'] as const;

@ApiTags('listening')
@ApiBearerAuth()
@Controller()
@UseGuards(ManagementRateLimitGuard)
export class ListeningController {
  constructor(
    private readonly imports: ListeningImportService,
    private readonly listening: ListeningService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('v1/listening/import')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Import listener × item play counts, streamed: Last.fm `user<TAB>item<TAB>plays` as text/plain, or NDJSON {userId, itemId, plays}. ?mode=add adds to stored counts (incremental updates); the default replaces them.',
  })
  @ApiConsumes(...IMPORT_TYPES)
  @ApiQuery({ name: 'mode', required: false, enum: ['replace', 'add'] })
  @ApiBody({ schema: { type: 'string' }, examples: { tsv: { value: 'u1\tjay-chou\t120\nu1\teason-chan\t14\n' } } })
  async importPlays(@Query('mode') mode: string | undefined, @Req() request: FastifyRequest): Promise<ListeningImportReport> {
    if (mode !== undefined && mode !== 'replace' && mode !== 'add') throw validationError([{ field: 'mode', problems: ['mode must be replace or add'] }]);
    const body = streamedBody(request, IMPORT_TYPES, this.config.uploadLimitBytes);
    return streamErrors(() => this.imports.importPlays(body, { format: formatOf(request), mode: mode ?? 'replace', limitBytes: this.config.uploadLimitBytes }));
  }

  @Post('v1/listening/items')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Import item metadata, streamed: NDJSON {itemId, name, genre, language} or text/plain `item<TAB>name[<TAB>genre[<TAB>language]]`. Absent fields keep their value.' })
  @ApiConsumes(...IMPORT_TYPES)
  @ApiBody({ schema: { type: 'string' }, examples: { ndjson: { value: '{"itemId":"jay-chou","name":"Jay Chou","genre":"mandopop","language":"zh"}\n' } } })
  async importItems(@Req() request: FastifyRequest): Promise<ListeningImportReport> {
    const body = streamedBody(request, IMPORT_TYPES, this.config.uploadLimitBytes);
    return streamErrors(() => this.imports.importItems(body, { format: formatOf(request), limitBytes: this.config.uploadLimitBytes }));
  }

  @Post('v1/listening/train')
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({ summary: 'Queue training of item-CF neighbours (IUF and Jaccard) or item2vec vectors on the worker; the result is a new version (GET /v1/listening/models).' })
  @ApiAcceptedResponse({ description: 'Queued.' })
  async train(@Body() body: TrainDto): Promise<{ queued: true; kind: string; requestedAtMs: number }> {
    return this.listening.queueTraining(body);
  }

  @Get('v1/listening/models')
  @Roles('viewer')
  @ApiOperation({ summary: 'Trained CF and item2vec versions (newest first) with parameters and metrics, and which version this node serves.' })
  models() {
    return this.listening.models();
  }

  @Get('v1/listening/cold-start')
  @Roles('viewer')
  @ApiOperation({ summary: 'Cold-start settings of the CF scorer: the model id branches name, the warm model, and the listener-tag and campaign-feedback thresholds.' })
  coldStart() {
    return this.listening.coldStart();
  }

  @Put('v1/listening/cold-start')
  @Roles('operator')
  @ApiOperation({ summary: 'Change the cold-start settings (every API node follows within seconds).' })
  async setColdStart(@Body() body: ColdStartDto) {
    return this.listening.setColdStart(body);
  }

  @Get('v1/items/:id/similar')
  @Roles('viewer')
  @ApiOperation({ summary: "An item's neighbours by item-CF (IUF and Jaccard) and by item2vec cosine, side by side, from the versions this node serves." })
  @ApiQuery({ name: 'k', required: false, type: Number })
  similar(@Param('id') id: string, @Query('k') k: string | undefined) {
    const count = k === undefined ? 10 : Number(k);
    if (!Number.isInteger(count) || count < 1 || count > 100) throw validationError([{ field: 'k', problems: ['k must be an integer from 1 to 100'] }]);
    const result = this.listening.similar(id, count);
    if (!result) throw new NotFoundException(`item '${id}' is not in the listening data`);
    return result;
  }

  @Get('v1/listening/campaigns/:id/similar')
  @Roles('viewer')
  @ApiOperation({ summary: "A campaign's items (artist and genre tags mapped to items), its most similar campaigns by item-CF with their feedback, and the CTR prior it borrows from them." })
  @ApiQuery({ name: 'k', required: false, type: Number })
  similarCampaigns(@Param('id') id: string, @Query('k') k: string | undefined) {
    const count = k === undefined ? 10 : Number(k);
    if (!Number.isInteger(count) || count < 1 || count > 100) throw validationError([{ field: 'k', problems: ['k must be an integer from 1 to 100'] }]);
    const result = this.listening.similarCampaigns(id, count);
    if (!result) throw new NotFoundException(`campaign '${id}' is not in the served configuration`);
    return result;
  }

  @Get('v1/listening/item2vec/map.svg')
  @Roles('viewer')
  @ApiOperation({ summary: 'A 2-D PCA map of the most-played items\' item2vec vectors as an SVG image, coloured by genre, for a visual sanity check.' })
  @ApiQuery({ name: 'items', required: false, type: Number })
  @Header('content-type', 'image/svg+xml')
  itemMap(@Query('items') items: string | undefined): string {
    const count = items === undefined ? 300 : Number(items);
    if (!Number.isInteger(count) || count < 3 || count > 5000) throw validationError([{ field: 'items', problems: ['items must be an integer from 3 to 5000'] }]);
    const svg = this.listening.itemMapSvg(count);
    if (svg === null) throw new NotFoundException('no item2vec model with at least 3 item vectors yet');
    return svg;
  }

  @Post('v1/packages/lookalike')
  @HttpCode(202)
  @Roles('operator')
  @ApiOperation({
    summary: 'Build a lookalike user package: the targetSize listeners most like the seed package (ANN over item2vec listener vectors), seed and exclusion package left out; queued on the worker, with a held-out seed recall report in the definition.',
  })
  @ApiAcceptedResponse({ description: 'Queued; the package gets a new version when built.' })
  async lookalike(@Body() body: LookalikeDto) {
    return unwrap(await this.listening.queueLookalike(body));
  }
}

/** A body over the limit is a 413 and a newline-free body a 400, as for the other streamed imports; lines already stored stay. */
async function streamErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UploadTooLargeError) throw new PayloadTooLargeException(error.message);
    if (error instanceof LineTooLongError) throw validationError([{ field: 'body', problems: [error.message] }]);
    throw error;
  }
}

function formatOf(request: FastifyRequest): 'tsv' | 'ndjson' {
  return mediaTypeOf(request) === 'application/x-ndjson' ? 'ndjson' : 'tsv';
}
