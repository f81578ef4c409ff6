import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const PACKAGE_KINDS = ['upload', 'rule', 'combination', 'lookalike'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];
export type PackageStatus = 'pending' | 'ready';

/** One listener; bulk writes go through raw SQL in ProfileRepository, this entity serves reads. */
@Entity({ name: 'listener_profiles' })
export class ListenerProfileEntity {
  /** Dense uint32 index that package bitmaps are built over (from a sequence, never reused). */
  @PrimaryColumn({ name: 'user_idx', type: 'integer' })
  userIdx: number;

  @Column({ name: 'user_key', type: 'text', unique: true })
  userKey: string;

  @Column({ type: 'jsonb' })
  attributes: Record<string, unknown>;

  @Column({ type: 'bigint' })
  revision: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'user_packages' })
export class UserPackageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  key: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: PackageKind;

  /** rule: the rule expression; combination: {op, packages}; lookalike: its parameters; upload: null. */
  @Column({ type: 'jsonb', nullable: true })
  definition: unknown;

  /** 0 until the first bitmap is written. */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'int' })
  size: number;

  /** Roaring portable serialization of the member user indices. */
  @Column({ type: 'bytea', nullable: true, select: false })
  bitmap: Buffer | null;

  @Column({ type: 'text' })
  status: PackageStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'user_package_versions' })
export class UserPackageVersionEntity {
  @PrimaryColumn({ name: 'package_id', type: 'uuid' })
  packageId: string;

  @PrimaryColumn({ type: 'int' })
  version: number;

  @Column({ type: 'bytea', select: false })
  bitmap: Buffer;

  @Column({ type: 'int' })
  size: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export const AUDIENCE_ENTITIES = [ListenerProfileEntity, UserPackageEntity, UserPackageVersionEntity];
