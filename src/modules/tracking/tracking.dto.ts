import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { MAX_EVENTS_PER_BATCH } from './event-intake.service';

export class EventBatchDto {
  @ApiProperty({
    description: `1–${MAX_EVENTS_PER_BATCH} events. Each is {type: impression|click|conversion|skip, token: the t= value of the ad's tracking link, at?: epoch ms when it happened}. Items are checked one by one: bad ones are reported by index, the good ones are kept.`,
    example: [{ type: 'impression', token: 'eyJkIjoi…', at: 1764330000000 }],
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_EVENTS_PER_BATCH)
  events!: unknown[];
}
