import type { ApiKeyRole } from '../../platform/http/roles';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';


@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: ApiKeyRole;

  /** For slot-client keys: the app or platform the key is issued to (e.g. "ios"), informational. */
  @Column({ type: 'text', nullable: true })
  scope: string | null;

  /** First characters of the key, so an operator can tell keys apart without the secret. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix: string;

  /** SHA-256 of the whole key. Keys carry 192 random bits, so a fast hash is enough (no password stretching needed). */
  @Column({ name: 'key_hash', type: 'text', unique: true })
  keyHash: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}

export const AUTH_ENTITIES = [ApiKeyEntity];
