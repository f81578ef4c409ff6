import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const PLATFORMS = ['ios', 'android', 'pc', 'h5', 'car', 'speaker', 'tv'] as const;
export const SLOT_FORMATS = ['splash', 'banner', 'popup', 'audio', 'feed'] as const;
export const CAP_WINDOWS = ['minute', 'hour', 'day', 'week', 'lifetime'] as const;
export const CATEGORIES = ['digital_album', 'paid_package', 'membership', 'partner'] as const;
export const STATUSES = ['draft', 'active', 'paused', 'ended', 'archived'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const METHODS = ['designated', 'priority', 'model', 'bandit'] as const;
export const CREATIVE_TYPES = ['image', 'audio', 'text'] as const;

const oneOf = (name: string, values: readonly string[]) => ({ message: `${name} must be one of ${values.join(', ')}` });
const eachOneOf = (name: string, values: readonly string[]) => ({ each: true, message: `each of ${name} must be one of ${values.join(', ')}` });

export class FrequencyCapDto {
  @ApiProperty({ example: 3, minimum: 1 })
  @IsInt({ message: 'impressions must be a whole number' })
  @Min(1, { message: 'impressions must be at least 1 (a cap of 0 would never serve; pause the campaign instead)' })
  impressions: number;

  @ApiProperty({ enum: CAP_WINDOWS, example: 'day' })
  @IsIn(CAP_WINDOWS, oneOf('window', CAP_WINDOWS))
  window: (typeof CAP_WINDOWS)[number];
}

export class CreateSlotDto {
  @ApiProperty({ example: 'phone-home-banner', description: 'Stable key the app sends as slotId.' })
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'key must be 1-64 characters of a-z, 0-9, . _ - and start with a letter or digit' })
  key: string;

  @ApiProperty({ example: 'Phone home banner' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: SLOT_FORMATS, example: 'banner' })
  @IsIn(SLOT_FORMATS, oneOf('format', SLOT_FORMATS))
  format: (typeof SLOT_FORMATS)[number];

  @ApiProperty({ enum: PLATFORMS, isArray: true, example: ['ios', 'android'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms: (typeof PLATFORMS)[number][];

  @ApiProperty({ example: 1, minimum: 1, maximum: 20 })
  @IsInt()
  @Min(1)
  @Max(20)
  maxAdsPerResponse: number;

  @ApiPropertyOptional({ type: FrequencyCapDto, nullable: true, example: { impressions: 4, window: 'hour' }, description: 'Per listener, across all ads of the slot.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FrequencyCapDto)
  adLoadCap?: FrequencyCapDto | null;
}

export class UpdateSlotDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ enum: SLOT_FORMATS }) @IsOptional() @IsIn(SLOT_FORMATS, oneOf('format', SLOT_FORMATS)) format?: (typeof SLOT_FORMATS)[number];
  @ApiPropertyOptional({ enum: PLATFORMS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms?: (typeof PLATFORMS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(20) maxAdsPerResponse?: number;
  @ApiPropertyOptional({ type: FrequencyCapDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => FrequencyCapDto) adLoadCap?: FrequencyCapDto | null;
}

export class DayPartDto {
  @ApiProperty({ enum: WEEKDAYS, isArray: true, example: ['mon', 'tue', 'wed', 'thu', 'fri'] })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(WEEKDAYS, eachOneOf('days', WEEKDAYS))
  days: (typeof WEEKDAYS)[number][];

  @ApiProperty({ example: 18, minimum: 0, maximum: 23 })
  @IsInt()
  @Min(0)
  @Max(23)
  startHour: number;

  @ApiProperty({ example: 23, minimum: 1, maximum: 24, description: 'Exclusive. Overnight spans are written as two parts.' })
  @IsInt()
  @Min(1)
  @Max(24)
  endHour: number;
}

export class ScheduleDto {
  @ApiProperty({ example: '2026-12-01T00:00:00+08:00' })
  @IsISO8601({ strict: true }, { message: 'startAt must be an ISO 8601 date-time' })
  startAt: string;

  @ApiPropertyOptional({ example: '2026-12-31T23:59:59+08:00', nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'endAt must be an ISO 8601 date-time' })
  endAt?: string | null;

  @ApiProperty({ example: 'Asia/Shanghai', description: 'IANA time zone of the schedule, day-parting and daily goals.' })
  @IsString()
  timeZone: string;

  @ApiPropertyOptional({ type: [DayPartDto], nullable: true, description: 'Hours of the week the campaign may serve, in its time zone. Absent: all hours.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DayPartDto)
  dayParting?: DayPartDto[] | null;
}

export class GoalDto {
  @ApiProperty({ enum: ['impressions', 'clicks', 'conversions'], example: 'clicks' })
  @IsIn(['impressions', 'clicks', 'conversions'], oneOf('metric', ['impressions', 'clicks', 'conversions']))
  metric: 'impressions' | 'clicks' | 'conversions';

  @ApiPropertyOptional({ example: 2000, nullable: true }) @IsOptional() @IsInt() @IsPositive({ message: 'daily must be positive' }) daily?: number | null;
  @ApiPropertyOptional({ example: 50000, nullable: true }) @IsOptional() @IsInt() @IsPositive({ message: 'total must be positive' }) total?: number | null;

  @ApiProperty({ enum: ['even', 'asap'], example: 'even' })
  @IsIn(['even', 'asap'], oneOf('pacing', ['even', 'asap']))
  pacing: 'even' | 'asap';
}

export class TagsDto {
  @ApiPropertyOptional({ example: ['mandopop'] }) @IsOptional() @IsArray() @IsString({ each: true }) @ArrayMaxSize(50) genres?: string[];
  @ApiPropertyOptional({ example: ['Jay Chou'] }) @IsOptional() @IsArray() @IsString({ each: true }) @ArrayMaxSize(50) artists?: string[];
  @ApiPropertyOptional({ example: ['zh'] }) @IsOptional() @IsArray() @IsString({ each: true }) @ArrayMaxSize(20) languages?: string[];
}

export class CreateCampaignDto {
  @ApiProperty({ example: 'A: new album pre-sale' }) @IsString() @Length(1, 200) name: string;

  @ApiProperty({ enum: CATEGORIES, example: 'digital_album' })
  @IsIn(CATEGORIES, oneOf('category', CATEGORIES))
  category: (typeof CATEGORIES)[number];

  @ApiProperty({ example: 60, minimum: 1, maximum: 100 })
  @IsInt()
  @Min(1, { message: 'priority must be between 1 and 100' })
  @Max(100, { message: 'priority must be between 1 and 100' })
  priority: number;

  @ApiProperty({ enum: PLATFORMS, isArray: true, example: ['ios', 'android'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms: (typeof PLATFORMS)[number][];

  @ApiProperty({ example: ['phone-home-banner'], description: 'Slot ids or keys where the campaign may show.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'slots must list at least one slot' })
  @ArrayUnique()
  @IsString({ each: true })
  slots: string[];

  @ApiProperty({ type: ScheduleDto }) @IsDefined() @ValidateNested() @Type(() => ScheduleDto) schedule: ScheduleDto;

  @ApiPropertyOptional({ type: [FrequencyCapDto], example: [{ impressions: 3, window: 'day' }] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => FrequencyCapDto)
  frequencyCaps?: FrequencyCapDto[];

  @ApiPropertyOptional({ type: GoalDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => GoalDto) goal?: GoalDto | null;

  @ApiPropertyOptional({ example: 2000, description: 'Random-delivery impressions before the campaign is modeled.', default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  explorationBudget?: number;

  @ApiPropertyOptional({ type: TagsDto }) @IsOptional() @ValidateNested() @Type(() => TagsDto) tags?: TagsDto;

  @ApiPropertyOptional({ description: 'Stop showing the campaign to a listener who converted on it. Default: on for membership and paid_package.' })
  @IsOptional()
  @IsBoolean()
  suppressOnConversion?: boolean;
}

export class UpdateCampaignDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ enum: CATEGORIES }) @IsOptional() @IsIn(CATEGORIES, oneOf('category', CATEGORIES)) category?: (typeof CATEGORIES)[number];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1, { message: 'priority must be between 1 and 100' }) @Max(100, { message: 'priority must be between 1 and 100' }) priority?: number;
  @ApiPropertyOptional({ enum: PLATFORMS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms?: (typeof PLATFORMS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsArray() @ArrayMinSize(1, { message: 'slots must list at least one slot' }) @ArrayUnique() @IsString({ each: true }) slots?: string[];
  @ApiPropertyOptional({ type: ScheduleDto }) @IsOptional() @ValidateNested() @Type(() => ScheduleDto) schedule?: ScheduleDto;
  @ApiPropertyOptional({ type: [FrequencyCapDto] }) @IsOptional() @IsArray() @ArrayMaxSize(5) @ValidateNested({ each: true }) @Type(() => FrequencyCapDto) frequencyCaps?: FrequencyCapDto[];
  @ApiPropertyOptional({ type: GoalDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => GoalDto) goal?: GoalDto | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10_000_000) explorationBudget?: number;
  @ApiPropertyOptional({ type: TagsDto }) @IsOptional() @ValidateNested() @Type(() => TagsDto) tags?: TagsDto;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() suppressOnConversion?: boolean;
}

export class StatusChangeDto {
  @ApiProperty({ enum: STATUSES, example: 'active', description: 'Legal: draft→active|archived, active→paused|ended, paused→active|ended|archived, ended→archived.' })
  @IsIn(STATUSES, oneOf('status', STATUSES))
  status: (typeof STATUSES)[number];
}

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateCreativeDto {
  @ApiProperty({ enum: CREATIVE_TYPES, example: 'image' }) @IsIn(CREATIVE_TYPES, oneOf('type', CREATIVE_TYPES)) type: (typeof CREATIVE_TYPES)[number];

  @ApiProperty({ enum: SLOT_FORMATS, isArray: true, example: ['banner', 'feed'], description: 'Slot formats this creative fits.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'formats must list at least one slot format' })
  @ArrayUnique()
  @IsIn(SLOT_FORMATS, eachOneOf('formats', SLOT_FORMATS))
  formats: (typeof SLOT_FORMATS)[number][];

  @ApiProperty({ example: 'Pre-order the new album' }) @IsString() @Length(1, 200) title: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/ads/album-a.jpg', nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'assetUrl must be an http or https URL' })
  assetUrl?: string | null;

  @ApiProperty({ example: 'https://music.example.com/album/123' })
  @IsUrl(URL_OPTIONS, { message: 'landingUrl must be an http or https URL' })
  landingUrl: string;

  @ApiPropertyOptional({ example: 1, default: 1, description: 'Rotation weight among the campaign’s creatives.' })
  @IsOptional()
  @IsNumber()
  @IsPositive({ message: 'weight must be positive' })
  @Max(1_000_000)
  weight?: number;
}

export class UpdateCreativeDto {
  @ApiPropertyOptional({ enum: CREATIVE_TYPES }) @IsOptional() @IsIn(CREATIVE_TYPES, oneOf('type', CREATIVE_TYPES)) type?: (typeof CREATIVE_TYPES)[number];
  @ApiPropertyOptional({ enum: SLOT_FORMATS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'formats must list at least one slot format' })
  @IsIn(SLOT_FORMATS, eachOneOf('formats', SLOT_FORMATS))
  formats?: (typeof SLOT_FORMATS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) title?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUrl(URL_OPTIONS, { message: 'assetUrl must be an http or https URL' }) assetUrl?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTIONS, { message: 'landingUrl must be an http or https URL' }) landingUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @IsPositive({ message: 'weight must be positive' }) @Max(1_000_000) weight?: number;
}

export class BanditArmDto {
  @ApiProperty({ example: 'ftrl-main', description: "A model id from the registry, or 'random' for uniform exploration." })
  @IsString()
  @Length(1, 100)
  modelId: string;

  @ApiPropertyOptional({ example: 0.05, default: 0.05, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  floor?: number;
}

export class BranchDto {
  @ApiProperty({ example: 'vip targeted' }) @IsString() @Length(1, 100) name: string;

  @ApiProperty({
    description: "'everyone', or an expression over user packages: {package}, {and:[…]}, {or:[…]}, {not:…}",
    example: { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] },
    oneOf: [{ type: 'string', enum: ['everyone'] }, { type: 'object' }],
  })
  @IsDefined({ message: "audience is required: 'everyone' or a package expression" })
  audience: unknown;

  @ApiProperty({ example: ['6f1c…'], description: 'Candidate campaign ids.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'campaignIds must list at least one campaign' })
  @ArrayUnique()
  @IsString({ each: true })
  campaignIds: string[];

  @ApiProperty({ enum: METHODS, example: 'model' }) @IsIn(METHODS, oneOf('method', METHODS)) method: (typeof METHODS)[number];

  @ApiPropertyOptional({ example: 'ftrl-main', description: 'For method model: the model that ranks the candidates.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  modelId?: string;

  @ApiPropertyOptional({ type: [BanditArmDto], description: 'For method bandit: the competing models and their floors.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BanditArmDto)
  arms?: BanditArmDto[];
}

export class PutPolicyDto {
  @ApiProperty({ type: [BranchDto], description: 'Ordered: the first branch whose audience matches and that has an eligible candidate wins.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'branches must list at least one branch' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BranchDto)
  branches: BranchDto[];
}

export class CampaignListQueryDto {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES, oneOf('status', STATUSES)) status?: string;
  @ApiPropertyOptional({ description: 'Slot id or key' }) @IsOptional() @IsString() slot?: string;
  @ApiPropertyOptional({ enum: PLATFORMS }) @IsOptional() @IsIn(PLATFORMS, oneOf('platform', PLATFORMS)) platform?: string;
  @ApiPropertyOptional({ enum: CATEGORIES }) @IsOptional() @IsIn(CATEGORIES, oneOf('category', CATEGORIES)) category?: string;
  @ApiPropertyOptional({ enum: [...METHODS, 'targeted', 'untargeted', 'none'], description: 'Delivery mode through the slot policies' })
  @IsOptional()
  @IsIn([...METHODS, 'targeted', 'untargeted', 'none'], oneOf('mode', [...METHODS, 'targeted', 'untargeted', 'none']))
  mode?: string;
  @ApiPropertyOptional({ description: 'Schedules overlapping [from, to]' }) @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date' }) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date' }) to?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}
