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
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

import { CATEGORIES, eachOneOf, FrequencyCapDto, METHODS, oneOf, PLATFORMS, STATUSES, WEEKDAYS } from './catalog.dto';

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
