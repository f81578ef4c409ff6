import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type {
  CampaignCategory,
  CampaignStatus,
  FrequencyCap,
  Goal,
  Platform,
  Schedule,
  SlotFormat,
} from '../../engine/policy/snapshot';
import type { Branch } from '../../engine/policy/snapshot';

@Entity({ name: 'slots' })
export class SlotEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text', unique: true }) key: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) format: SlotFormat;
  @Column({ type: 'text', array: true }) platforms: Platform[];
  @Column({ name: 'max_ads_per_response', type: 'int' }) maxAdsPerResponse: number;
  @Column({ name: 'ad_load_cap', type: 'jsonb', nullable: true }) adLoadCap: FrequencyCap | null;
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export interface CampaignTags {
  genres: string[];
  artists: string[];
  languages: string[];
}

@Entity({ name: 'campaigns' })
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) category: CampaignCategory;
  @Column({ type: 'text' }) status: CampaignStatus;
  @Column({ type: 'int' }) priority: number;
  @Column({ type: 'text', array: true }) platforms: Platform[];
  @Column({ name: 'slot_ids', type: 'uuid', array: true }) slotIds: string[];
  @Column({ type: 'jsonb' }) schedule: Schedule;
  @Column({ name: 'frequency_caps', type: 'jsonb' }) frequencyCaps: FrequencyCap[];
  @Column({ type: 'jsonb', nullable: true }) goal: Goal | null;
  @Column({ name: 'exploration_budget', type: 'int' }) explorationBudget: number;
  @Column({ type: 'jsonb' }) tags: CampaignTags;
  @Column({ name: 'suppress_on_conversion', type: 'boolean' }) suppressOnConversion: boolean;
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'creatives' })
export class CreativeEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Column({ type: 'text' }) type: 'image' | 'audio' | 'text';
  @Column({ type: 'text', array: true }) formats: SlotFormat[];
  @Column({ type: 'text' }) title: string;
  @Column({ name: 'asset_url', type: 'text', nullable: true }) assetUrl: string | null;
  @Column({ name: 'landing_url', type: 'text' }) landingUrl: string;
  @Column({ type: 'double precision' }) weight: number;
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'delivery_policies' })
export class DeliveryPolicyEntity {
  @PrimaryColumn({ name: 'slot_id', type: 'uuid' }) slotId: string;
  @Column({ type: 'jsonb' }) branches: Branch[];
  @Column({ type: 'int' }) version: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const CATALOG_ENTITIES = [SlotEntity, CampaignEntity, CreativeEntity, DeliveryPolicyEntity];
