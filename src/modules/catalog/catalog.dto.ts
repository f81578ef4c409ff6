import { ApiProperty } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  Min,
} from 'class-validator';

export const PLATFORMS = ['ios', 'android', 'pc', 'h5', 'car', 'speaker', 'tv'] as const;
export const SLOT_FORMATS = ['splash', 'banner', 'popup', 'audio', 'feed'] as const;
export const CAP_WINDOWS = ['minute', 'hour', 'day', 'week', 'lifetime'] as const;
export const CATEGORIES = ['digital_album', 'paid_package', 'membership', 'partner'] as const;
export const STATUSES = ['draft', 'active', 'paused', 'ended', 'archived'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const METHODS = ['designated', 'priority', 'model', 'bandit'] as const;
export const CREATIVE_TYPES = ['image', 'audio', 'text'] as const;

export const oneOf = (name: string, values: readonly string[]) => ({ message: `${name} must be one of ${values.join(', ')}` });
export const eachOneOf = (name: string, values: readonly string[]) => ({ each: true, message: `each of ${name} must be one of ${values.join(', ')}` });

export class FrequencyCapDto {
  @ApiProperty({ example: 3, minimum: 1 })
  @IsInt({ message: 'impressions must be a whole number' })
  @Min(1, { message: 'impressions must be at least 1 (a cap of 0 would never serve; pause the campaign instead)' })
  impressions: number;

  @ApiProperty({ enum: CAP_WINDOWS, example: 'day' })
  @IsIn(CAP_WINDOWS, oneOf('window', CAP_WINDOWS))
  window: (typeof CAP_WINDOWS)[number];
}
