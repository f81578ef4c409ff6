import { APP_PARTS } from '../../../src/composition';
import { EventsRepository } from '../../../src/modules/tracking/events.repository';
import { DatabaseService } from '../../../src/platform/database/database.service';
import { eventsRepositoryContract } from '../../support/events-repository.contract';
import type { StoredEvent, StoredPendingLabel } from '../../support/fakes';
import { createProductionEnv, type ProductionTestEnv } from '../../support/test-app';

// The same contract runs against the in-memory fake in src/modules/tracking/fakes/fake-events.repository.spec.ts.
let prod: ProductionTestEnv;
let database: DatabaseService;

beforeAll(async () => {
  prod = await createProductionEnv();
  database = await DatabaseService.open(prod.config, { runMigrations: true, entities: APP_PARTS.entities });
});

afterAll(async () => {
  await database?.close();
  await prod?.drop();
});

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

eventsRepositoryContract('PostgreSQL', async () => {
  await database.dataSource.query('TRUNCATE events, pending_labels');
  return {
    repository: new EventsRepository(database),
    manager: database.dataSource.manager,
    storedEvents: () =>
      database.dataSource.query<StoredEvent[]>(
        `SELECT decision_id::text AS "decisionId", type, ${ms('decision_at')} AS "decisionAtMs", ${ms('occurred_at')} AS "occurredAtMs",
                ${ms('received_at')} AS "receivedAtMs", user_id AS "userId", campaign_id AS "campaignId", creative_id AS "creativeId",
                slot_id AS "slotId", branch, arm, platform, propensity, click_without_impression AS "clickWithoutImpression", source
           FROM events ORDER BY decision_id::text, type, decision_at`,
      ),
    pendingLabels: () =>
      database.dataSource.query<StoredPendingLabel[]>(
        `SELECT decision_id::text AS "decisionId", ${ms('decision_at')} AS "decisionAtMs", ${ms('impression_at')} AS "impressionAtMs",
                ${ms('clicked_at')} AS "clickedAtMs", ${ms('due_at')} AS "dueAtMs", explore_checked AS "exploreChecked"
           FROM pending_labels ORDER BY decision_id::text, decision_at`,
      ),
  };
});
