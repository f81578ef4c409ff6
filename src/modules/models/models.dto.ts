import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';

export class PromoteModelDto {
  @ApiProperty({ description: 'The version to make active (the current active one is retired)', example: 3 })
  @IsInt()
  @Min(1)
  version!: number;
}
