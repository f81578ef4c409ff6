import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, registerDecorator, type ValidationOptions } from 'class-validator';
import { PLATFORMS } from '../campaigns/config.dto';

/** Context values must be flat: strings, finite numbers or booleans, at most 32 keys. */
function IsFlatContext(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFlatContext',
      target: object.constructor,
      propertyName,
      options: { message: 'context must be an object of at most 32 keys whose values are strings (≤200 chars), finite numbers or booleans', ...options },
      validator: {
        validate(value: unknown) {
          if (value === undefined) return true;
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= 32 &&
            entries.every(
              ([k, v]) => k.length <= 64 && ((typeof v === 'string' && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean'),
            )
          );
        },
      },
    });
}

export class DecisionRequestDto {
  @ApiProperty({ example: 'phone-desktop-banner', description: 'Slot key or id.' })
  @IsString()
  @Length(1, 100)
  slotId: string;

  @ApiProperty({ example: 'u-000042', description: 'The listener.' })
  @IsString()
  @Length(1, 128)
  userId: string;

  @ApiProperty({ enum: PLATFORMS, example: 'ios' })
  @IsIn(PLATFORMS, { message: `platform must be one of ${PLATFORMS.join(', ')}` })
  platform: (typeof PLATFORMS)[number];

  @ApiPropertyOptional({ example: '12.4.0' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  appVersion?: string;

  @ApiPropertyOptional({ example: { hour: 21, network: 'wifi', trackId: 't-881', artistId: 'a-12', genre: 'mandopop' } })
  @IsOptional()
  @IsObject()
  @IsFlatContext()
  context?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 20, description: "Ads wanted; capped by the slot's maximum." })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  count?: number;

  @ApiPropertyOptional({ example: false, description: 'Also list every candidate that was dropped, and why.' })
  @IsOptional()
  @IsBoolean()
  explain?: boolean;
}
