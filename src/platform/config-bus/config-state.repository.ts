import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../database/database.service';
import { DATABASE } from '../tokens';

/** Table config_state: the one row holding the configuration version. */
@Injectable()
export class ConfigStateRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Increments the version in the caller's transaction; returns the new one. */
  async bumpVersion(manager: EntityManager): Promise<number> {
    const result = await manager.query('UPDATE config_state SET version = version + 1, changed_at = now() WHERE id = 1 RETURNING version');
    // TypeORM's postgres driver answers an UPDATE … RETURNING with [rows, affectedCount].
    const rows: { version: string }[] = Array.isArray(result[0]) ? result[0] : result;
    return Number(rows[0].version);
  }

  async currentVersion(): Promise<number> {
    const rows: { version: string }[] = await this.database.dataSource.query('SELECT version FROM config_state WHERE id = 1');
    return Number(rows[0].version);
  }
}
