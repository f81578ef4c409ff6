import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PLATFORMS } from '../catalog';

/** The documented shape of POST /v1/decisions; the body is checked by checkDecisionRequest (decision-request.ts). */
export class DecisionRequestDto {
  @ApiProperty({ example: 'phone-desktop-banner', description: 'Slot key or id (1..100 chars).' })
  slotId: string;

  @ApiProperty({ example: 'u-000042', description: 'The listener (1..128 chars).' })
  userId: string;

  @ApiProperty({ enum: PLATFORMS, example: 'ios' })
  platform: (typeof PLATFORMS)[number];

  @ApiPropertyOptional({ example: '12.4.0', description: '1..40 chars.' })
  appVersion?: string;

  @ApiPropertyOptional({
    example: { hour: 21, network: 'wifi', trackId: 't-881', artistId: 'a-12', genre: 'mandopop' },
    description: 'Flat: at most 32 keys (≤64 chars) whose values are strings (≤200 chars), finite numbers or booleans.',
  })
  context?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 20, description: "Ads wanted; capped by the slot's maximum." })
  count?: number;

  @ApiPropertyOptional({ example: false, description: 'Also list every candidate that was dropped, and why.' })
  explain?: boolean;
}
