import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBase64, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export class StartModelingRunDto {
  @ApiPropertyOptional({ description: 'GBDT parameter overrides for this run (rounds, learningRate, maxDepth, …)', example: { maxDepth: 3 } })
  @IsOptional()
  @IsObject()
  params?: Record<string, number>;

  @ApiPropertyOptional({ enum: ['gbdt', 'gbdt-lr'], default: 'gbdt', description: 'gbdt: ONNX GBDT (model gbdt-<campaignId>); gbdt-lr: GBDT leaves as features of an FTRL logistic regression (model gbdt-lr-<campaignId>)' })
  @IsOptional()
  @IsIn(['gbdt', 'gbdt-lr'])
  variant?: 'gbdt' | 'gbdt-lr';

  @ApiPropertyOptional({ enum: ['auc', 'bandit-arm'], description: 'auc (default): active when it beats the active version by the AUC margin; bandit-arm: also joins every bandit branch listing the campaign as a new arm at the floor share' })
  @IsOptional()
  @IsIn(['auc', 'bandit-arm'])
  promotion?: 'auc' | 'bandit-arm';
}

export class ListModelingRunsQueryDto {
  @ApiPropertyOptional({ description: 'Only runs of this campaign' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ description: 'Only runs training this model id' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  modelId?: string;

  @ApiPropertyOptional({ enum: ['queued', 'running', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['queued', 'running', 'succeeded', 'failed'])
  status?: 'queued' | 'running' | 'succeeded' | 'failed';

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'Version whose run report to show (default: the newest report of the model)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class ImportModelDto {
  @ApiProperty({ description: 'Registry id of the imported model', example: 'ds-ctr-v2' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: 'modelId must be 1-100 letters, digits, dots, dashes or underscores' })
  modelId!: string;

  @ApiProperty({ enum: ['onnx', 'xgboost-json'], description: 'onnx: an ONNX CTR model (input "features" float32 [N,F], output "probability"); xgboost-json: a binary:logistic XGBoost JSON model, converted to ONNX' })
  @IsIn(['onnx', 'xgboost-json'])
  format!: 'onnx' | 'xgboost-json';

  @ApiPropertyOptional({ description: 'format onnx: the model file, base64' })
  @IsOptional()
  @IsBase64()
  onnxBase64?: string;

  @ApiPropertyOptional({ description: 'format xgboost-json: the model as saved by Booster.save_model("model.json")' })
  @IsOptional()
  @IsObject()
  xgboost?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Feature name of each model input column: platform, hour, user.<profile attribute> or ctx.<context key> (missing or non-numeric → NaN)',
    example: ['user.monthlyMinutes', 'user.tenureDays', 'hour'],
  })
  @IsOptional()
  @IsString({ each: true })
  @ArrayMaxSize(10_000)
  featureNames?: string[];

  @ApiPropertyOptional({ description: 'Campaigns this model scores (default: every candidate)' })
  @IsOptional()
  @IsUUID('all', { each: true })
  campaignIds?: string[];

  @ApiPropertyOptional({ description: 'Make the imported version active at once (default: only when the model has no active version)' })
  @IsOptional()
  @IsBoolean()
  activate?: boolean;
}
