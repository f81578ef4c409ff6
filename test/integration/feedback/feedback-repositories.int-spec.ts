import { APP_PARTS } from '../../../src/composition';
import { LabelSweepRepository } from '../../../src/modules/labels/label-sweep.repository';
import { LabelledExamplesRepository } from '../../../src/modules/labels/labelled-examples.repository';
import { EventsRepository } from '../../../src/modules/tracking/events.repository';
import { DatabaseService } from '../../../src/platform/database/database.service';
import { eventsRepositoryContract } from '../../support/events-repository.contract';
import type { PendingLabelRow } from '../../../src/modules/labels/fakes/fake-label-sweep.repository';
import type { StoredEvent, StoredPendingLabel } from '../../../src/modules/tracking/fakes/fake-events.repository';
import { labelSweepContract } from '../../support/label-sweep.contract';
import { createProductionEnv, type ProductionTestEnv } from '../../support/test-app';

// The feedback repositories against PostgreSQL, held to the contracts their in-memory fakes also
// pass (src/modules/tracking/fakes/fake-events.repository.spec.ts, src/modules/labels/fakes/fake-label-sweep.repository.spec.ts).
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

const ts = (param: string) => `('epoch'::timestamptz + (${param})::float8 * interval '1 millisecond')`;
const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
const FILLER_UUID = '99999999-9999-4999-8999-999999999999';
const q = (sql: string, params: unknown[] = []) => database.dataSource.query(sql, params);
const pendingLabels = <T>() =>
  database.dataSource.query<T[]>(
    `SELECT decision_id::text AS "decisionId", ${ms('decision_at')} AS "decisionAtMs", ${ms('impression_at')} AS "impressionAtMs",
            ${ms('clicked_at')} AS "clickedAtMs", ${ms('due_at')} AS "dueAtMs", explore_checked AS "exploreChecked"
       FROM pending_labels ORDER BY decision_id, decision_at`,
  );

eventsRepositoryContract('PostgreSQL', async () => {
  await q('TRUNCATE events, pending_labels');
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
    pendingLabels: () => pendingLabels<StoredPendingLabel>(),
  };
});

labelSweepContract('PostgreSQL', async () => {
  await q('TRUNCATE pending_labels, decisions, events, labelled_examples');
  return {
    pending: new LabelSweepRepository(),
    labelled: new LabelledExamplesRepository(database),
    manager: database.dataSource.manager,
    addPending: async (r) => {
      await q(`INSERT INTO pending_labels (decision_id, decision_at, impression_at, clicked_at, due_at, explore_checked) VALUES ($1, ${ts('$2')}, ${ts('$3')}, ${ts('$4')}, ${ts('$5')}, $6)`, [
        r.decisionId,
        r.decisionAtMs,
        r.impressionAtMs,
        r.clickedAtMs,
        r.dueAtMs,
        r.exploreChecked,
      ]);
    },
    addDecision: async (d) => {
      await q(
        `INSERT INTO decisions (decision_id, created_at, user_id, slot_id, platform, campaign_id, creative_id, branch, method, propensity, position, explored, config_version, context, features)
         VALUES ($1, ${ts('$2')}, 'listener', $3, 'ios', $3, $3, 'main', 'priority', 0.5, 0, $4, 1, '{}', $5)`,
        [d.decisionId, d.createdAtMs, FILLER_UUID, d.explored, d.features === null ? null : JSON.stringify(d.features)],
      );
    },
    addEvent: async (e) => {
      await q(
        `INSERT INTO events (decision_id, type, decision_at, occurred_at, received_at, user_id, campaign_id, creative_id, slot_id, branch, arm, platform, propensity, source)
         VALUES ($1, $2, ${ts('$3')}, ${ts('$3')}, ${ts('$3')}, $4, $5, $6, $7, $8, $9, $10, $11, 'batch')`,
        [e.decisionId, e.type, e.decisionAtMs, e.userId, e.campaignId, e.creativeId, e.slotId, e.branch, e.arm, e.platform, e.propensity],
      );
    },
    pendingLabels: () => pendingLabels<PendingLabelRow>(),
  };
});
