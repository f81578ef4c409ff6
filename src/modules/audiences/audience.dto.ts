import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import type { CombineOp } from '../../engine/targeting/bitmap-ops';
import { PACKAGE_KINDS, type PackageKind, type PackageStatus } from './audience.entities';
import type { PackageRecord, PackageVersionRecord } from './package.repository';

export const COMBINE_OPS: readonly CombineOp[] = ['union', 'intersection', 'difference'];
export const PACKAGE_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const PACKAGE_KEY_MESSAGE = 'must be 1-100 characters of a-z, 0-9, . _ - starting with a letter or digit';

const RULE_EXAMPLE = {
  and: [
    { attr: 'vipLevel', range: { gte: 3 } },
    { attr: 'genres', containsAny: ['rock', 'indie'] },
    { not: { attr: 'region', in: ['north'] } },
  ],
};

export class CreatePackageDto {
  @ApiProperty({ example: 'vip-rock-fans', description: 'Stable key that delivery policies reference as {"package": key}.' })
  @IsString()
  @Matches(PACKAGE_KEY_PATTERN, { message: `key ${PACKAGE_KEY_MESSAGE}` })
  key: string;

  @ApiProperty({ example: 'VIP 3+ rock and indie fans outside the north' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: PACKAGE_KINDS, example: 'rule', description: 'lookalike packages are created by the lookalike endpoint, not here.' })
  @IsIn(PACKAGE_KINDS as unknown as string[], { message: `kind must be one of ${PACKAGE_KINDS.join(', ')}` })
  kind: PackageKind;

  @ApiPropertyOptional({
    description: 'kind=rule: and/or/not over {attr, in | range | containsAny | containsAll}.',
    example: RULE_EXAMPLE,
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject({ message: 'rule must be an object' })
  rule?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: COMBINE_OPS, example: 'difference', description: 'kind=combination: difference = first minus the union of the rest.' })
  @IsOptional()
  @IsIn(COMBINE_OPS as unknown as string[], { message: `op must be one of ${COMBINE_OPS.join(', ')}` })
  op?: CombineOp;

  @ApiPropertyOptional({ type: [String], example: ['vip-2024', 'paid-users'], description: 'kind=combination: input package keys, in order.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  packages?: string[];
}

export class UpdatePackageDto {
  @ApiPropertyOptional({ example: 'VIP 3+ rock fans' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'rule packages: the new rule (recomputed at once).', example: RULE_EXAMPLE, type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'rule must be an object' })
  rule?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: COMBINE_OPS, example: 'union' })
  @IsOptional()
  @IsIn(COMBINE_OPS as unknown as string[], { message: `op must be one of ${COMBINE_OPS.join(', ')}` })
  op?: CombineOp;

  @ApiPropertyOptional({ type: [String], example: ['vip-2024', 'rock-fans'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  packages?: string[];
}

export class RollbackPackageDto {
  @ApiProperty({ example: 3, description: 'A version listed by GET /v1/packages/{key}/versions; it becomes the newest version.' })
  @IsInt({ message: 'version must be a positive integer' })
  @Min(1, { message: 'version must be a positive integer' })
  version: number;
}

export class PackageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'vip-rock-fans' }) key: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: PACKAGE_KINDS }) kind: PackageKind;
  @ApiProperty({ nullable: true, description: 'rule: the expression; combination: {op, packages}; upload: null.', example: RULE_EXAMPLE }) definition: unknown;
  @ApiProperty({ example: 4, description: '0 until members are first written.' }) version: number;
  @ApiProperty({ example: 120345 }) size: number;
  @ApiProperty({ enum: ['pending', 'ready'] }) status: PackageStatus;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(record: PackageRecord): PackageView {
    return {
      id: record.id,
      key: record.key,
      name: record.name,
      kind: record.kind,
      definition: record.definition ?? null,
      version: record.version,
      size: record.size,
      status: record.status,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
    };
  }
}

export class PackageVersionView {
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty({ example: 120001 }) size: number;
  @ApiProperty() createdAt: string;

  static from(record: PackageVersionRecord): PackageVersionView {
    return { version: record.version, size: record.size, createdAt: record.createdAt.toISOString() };
  }
}

export class LineProblemView {
  @ApiProperty({ example: 17, description: '1-based line number in the uploaded body.' }) line: number;
  @ApiProperty({ example: "user id 'a b' contains whitespace or control characters" }) message: string;
}

export class UnknownUserView {
  @ApiProperty({ example: 42 }) line: number;
  @ApiProperty({ example: 'u-000981' }) userKey: string;
}

export class MemberUploadView {
  @ApiProperty({ description: 'true when the members were stored (no malformed lines, or ?partial=true).' }) isStored: boolean;
  @ApiProperty({ example: 10_000_000, description: 'Lines holding a well-formed id.' }) accepted: number;
  @ApiProperty({ example: 3, description: 'Malformed lines.' }) rejected: number;
  @ApiProperty({ example: 12, description: 'Well-formed ids with no listener profile: reported, not members (membership is over profile indices).' })
  unknown: number;
  @ApiProperty({ example: 9_999_980, description: 'Distinct members stored.' }) members: number;
  @ApiProperty({ type: [LineProblemView], description: 'First 100 malformed lines.' }) problems: LineProblemView[];
  @ApiProperty({ type: [UnknownUserView], description: 'First 100 unknown ids.' }) unknownUsers: UnknownUserView[];
  @ApiPropertyOptional({ type: PackageView, description: 'The package after the upload (when stored).' }) package?: PackageView;
}

export class ProfileImportView {
  @ApiProperty({ example: 1_000_000 }) inserted: number;
  @ApiProperty({ example: 2_000 }) updated: number;
  @ApiProperty({ example: 3 }) rejected: number;
  @ApiProperty({ type: [LineProblemView], description: 'First 100 problems, each naming its line and field.' }) problems: LineProblemView[];
  @ApiProperty({ type: [String], example: ['signupSource'], description: 'Columns or fields that are not profile attributes (ignored).' })
  ignoredFields: string[];
  @ApiProperty({ example: 41, description: 'Profile revision after the import; every node loads up to it.' }) revision: number;
}

export class ListenerView {
  @ApiProperty({ example: 'u-000981' }) userKey: string;
  @ApiProperty({ example: 980, description: 'Dense index the package bitmaps are built over.' }) userIdx: number;
  @ApiProperty({ example: { vipLevel: '3', region: 'east', genres: ['rock', 'indie'], monthlyMinutes: 820 }, type: 'object', additionalProperties: true })
  profile: Record<string, unknown>;
  @ApiProperty({ type: [String], example: ['vip-2024'] }) packages: string[];
}

export class AnalyzeDto {
  @ApiPropertyOptional({ example: 'vip-rock-fans', description: 'Analyse a package (or give rule).' })
  @IsOptional()
  @IsString()
  package?: string;

  @ApiPropertyOptional({ description: 'Analyse an ad-hoc rule (or give package).', example: RULE_EXAMPLE, type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject({ message: 'rule must be an object' })
  rule?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], example: ['region', 'ageBand', 'vipLevel', 'genres'], description: 'Attributes to split by; multi-valued ones count a listener under each value.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  groupBy?: string[];

  @ApiPropertyOptional({ type: [String], example: ['monthlyMinutes'], description: 'Numeric attributes to sum and average.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  aggregate?: string[];

  @ApiPropertyOptional({
    description: 'Bin boundaries for numeric attributes in groupBy (ascending).',
    example: { monthlyMinutes: [60, 300, 1200] },
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'number' } },
  })
  @IsOptional()
  @IsObject()
  bins?: Record<string, number[]>;

  @ApiPropertyOptional({ example: 20, description: 'Keep the top N values per categorical attribute.' })
  @IsOptional()
  @IsInt({ message: 'limit must be a non-negative integer' })
  @Min(0, { message: 'limit must be a non-negative integer' })
  limit?: number;
}

export class OverlapDto {
  @ApiProperty({ type: [String], example: ['vip-2024', 'paid-users', 'rock-fans'] })
  @IsArray()
  @ArrayMinSize(2, { message: 'packages needs at least 2 package keys' })
  @ArrayMaxSize(20)
  @IsString({ each: true })
  packages: string[];
}

export class CompareDto {
  @ApiProperty({ example: 'vip-2024' })
  @IsString()
  a: string;

  @ApiProperty({ example: 'paid-users' })
  @IsString()
  b: string;

  @ApiProperty({ type: [String], example: ['region', 'vipLevel', 'genres'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  attributes: string[];

  @ApiPropertyOptional({ example: { tenureDays: [30, 365] }, type: 'object', additionalProperties: { type: 'array', items: { type: 'number' } } })
  @IsOptional()
  @IsObject()
  bins?: Record<string, number[]>;
}
