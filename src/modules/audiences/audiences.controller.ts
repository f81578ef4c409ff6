import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { Roles } from '../../platform/http/roles';
import { AnalyzeDto, CompareDto, OverlapDto } from './audience.dto';
import { AudienceAnalysisService } from './audience-analysis.service';
import { unwrap } from '../../platform/http/raw-upload';

@ApiTags('audiences')
@ApiBearerAuth()
@Controller('v1/audiences')
@UseGuards(ManagementRateLimitGuard)
export class AudiencesController {
  constructor(private readonly analysis: AudienceAnalysisService) {}

  @Post('analyze')
  @HttpCode(200)
  @Roles('viewer')
  @ApiOperation({
    summary: 'Size of a package or an ad-hoc rule, its split by attributes (multi-valued ones count a listener under each value) and sum/average of numeric attributes.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        count: 1200,
        groups: [{ attr: 'region', total: 1200, missing: 3, rows: [{ value: 'east', count: 700, share: 0.5833 }] }],
        aggregates: [{ attr: 'monthlyMinutes', count: 1190, sum: 975800, avg: 820, min: 0, max: 9000 }],
      },
    },
  })
  @ApiBadRequestResponse({ description: 'Unknown attribute or package, wrong operator for an attribute kind (named by JSON path), missing bins.' })
  analyze(@Body() body: AnalyzeDto): unknown {
    return unwrap(this.analysis.analyze(body));
  }

  @Post('overlap')
  @HttpCode(200)
  @Roles('viewer')
  @ApiOperation({ summary: 'Overlap of two or more packages: sizes, pairwise intersections and Jaccard, and the intersection of all.' })
  @ApiOkResponse({
    schema: { example: { sizes: { a: 100, b: 80 }, pairs: [{ a: 'a', b: 'b', intersection: 30, union: 150, jaccard: 0.2 }], all: 30 } },
  })
  overlap(@Body() body: OverlapDto): unknown {
    return unwrap(this.analysis.overlap(body.packages));
  }

  @Post('compare')
  @HttpCode(200)
  @Roles('viewer')
  @ApiOperation({ summary: 'Two packages side by side over chosen attributes: counts and shares per value in each, and the lift of A over B.' })
  @ApiOkResponse({
    schema: {
      example: { kind: 'ok', sizeA: 100, sizeB: 80, attributes: [{ attr: 'vipLevel', rows: [{ value: '3', countA: 40, shareA: 0.4, countB: 8, shareB: 0.1, lift: 4 }] }] },
    },
  })
  compare(@Body() body: CompareDto): unknown {
    const { kind: _kind, ...result } = unwrap(this.analysis.compare(body));
    return result;
  }
}
