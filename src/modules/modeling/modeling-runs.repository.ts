import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';

export const MODELING_STAGES = ['assemble', 'transform', 'criteria', 'model', 'export', 'register', 'report'] as const;
export type ModelingStage = (typeof MODELING_STAGES)[number];
export type RunTrigger = 'exploration' | 'manual' | 'schedule';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface ModelingRun {
  runId: string;
  campaignId: string;
  modelId: string;
  trigger: RunTrigger;
  status: RunStatus;
  stage: ModelingStage | null;
  error: string | null;
  options: Record<string, unknown>;
  modelVersion: number | null;
  promoted: boolean | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  stagesDone: ModelingStage[];
}

interface RunRow {
  run_id: string;
  campaign_id: string;
  model_id: string;
  trigger: RunTrigger;
  status: RunStatus;
  stage: ModelingStage | null;
  error: string | null;
  options: Record<string, unknown> | null;
  model_version: number | null;
  promoted: boolean | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
  stages_done: string[] | null;
}

const RUN_COLUMNS = `r.run_id::text AS run_id, r.campaign_id, r.model_id, r.trigger, r.status, r.stage, r.error, r.options, r.model_version, r.promoted,
  r.created_at, r.updated_at, r.finished_at,
  (SELECT array_agg(o.stage ORDER BY o.completed_at) FROM modeling_stage_outputs o WHERE o.run_id = r.run_id) AS stages_done`;

function toRun(row: RunRow): ModelingRun {
  return {
    runId: row.run_id,
    campaignId: row.campaign_id,
    modelId: row.model_id,
    trigger: row.trigger,
    status: row.status,
    stage: row.stage,
    error: row.error,
    options: row.options ?? {},
    modelVersion: row.model_version === null ? null : Number(row.model_version),
    promoted: row.promoted,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    stagesDone: (row.stages_done ?? []) as ModelingStage[],
  };
}

/** UPDATE … RETURNING comes back as [rows, count] from the pg driver through TypeORM. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** Tables modeling_runs and modeling_stage_outputs. */
@Injectable()
export class ModelingRunsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.database.dataSource.query(sql, params).then((r: unknown) => rowsOf<T>(r));
  }

  /** Creates a run unless one with the same dedupe key exists; returns the new run or null. */
  async create(input: { runId: string; campaignId: string; modelId: string; trigger: RunTrigger; dedupeKey: string; options: Record<string, unknown> }): Promise<ModelingRun | null> {
    const inserted = await this.query<{ run_id: string }>(
      `INSERT INTO modeling_runs (run_id, campaign_id, model_id, trigger, dedupe_key, status, options)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING run_id::text`,
      [input.runId, input.campaignId, input.modelId, input.trigger, input.dedupeKey, JSON.stringify(input.options)],
    );
    return inserted.length === 0 ? null : this.get(input.runId);
  }

  async get(runId: string): Promise<ModelingRun | null> {
    if (!/^[0-9a-f-]{36}$/i.test(runId)) return null;
    const rows = await this.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM modeling_runs r WHERE r.run_id = $1`, [runId]);
    return rows.length ? toRun(rows[0]) : null;
  }

  async list(filter: { campaignId?: string; modelId?: string; status?: RunStatus; limit: number }): Promise<ModelingRun[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.campaignId) where.push(`r.campaign_id = $${params.push(filter.campaignId)}`);
    if (filter.modelId) where.push(`r.model_id = $${params.push(filter.modelId)}`);
    if (filter.status) where.push(`r.status = $${params.push(filter.status)}`);
    const rows = await this.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM modeling_runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(toRun);
  }

  /** Stores the generation a resumed run's flow runs under (in the run's options). */
  async setGeneration(runId: string, generation: number): Promise<void> {
    await this.query(`UPDATE modeling_runs SET options = options || $2::jsonb WHERE run_id = $1`, [runId, JSON.stringify({ generation })]);
  }

  /** Campaign ids that already have a run with this trigger (any status). */
  async campaignsWithRuns(trigger: RunTrigger): Promise<Set<string>> {
    const rows = await this.query<{ campaign_id: string }>(`SELECT DISTINCT campaign_id FROM modeling_runs WHERE trigger = $1`, [trigger]);
    return new Set(rows.map((r) => r.campaign_id));
  }

  async markRunning(runId: string, stage: ModelingStage): Promise<void> {
    await this.query(`UPDATE modeling_runs SET status = 'running', stage = $2, error = NULL, updated_at = now() WHERE run_id = $1 AND status <> 'failed'`, [runId, stage]);
  }

  async markFailed(runId: string, stage: ModelingStage, error: string): Promise<void> {
    await this.query(`UPDATE modeling_runs SET status = 'failed', stage = $2, error = $3, updated_at = now(), finished_at = now() WHERE run_id = $1`, [runId, stage, error.slice(0, 2000)]);
  }

  async markSucceeded(runId: string): Promise<void> {
    await this.query(`UPDATE modeling_runs SET status = 'succeeded', stage = 'report', updated_at = now(), finished_at = now() WHERE run_id = $1`, [runId]);
  }

  /** Back to queued so that a resumed flow runs the stages that have no output yet. */
  async requeue(runId: string): Promise<void> {
    await this.query(`UPDATE modeling_runs SET status = 'queued', error = NULL, finished_at = NULL, updated_at = now() WHERE run_id = $1`, [runId]);
  }

  async setVersion(runId: string, version: number, promoted: boolean): Promise<void> {
    await this.query(`UPDATE modeling_runs SET model_version = $2, promoted = $3, updated_at = now() WHERE run_id = $1`, [runId, version, promoted]);
  }

  async output<T>(runId: string, stage: ModelingStage): Promise<{ output: T; artifact: Buffer | null } | null> {
    const rows = await this.query<{ output: T; artifact: Buffer | null }>(`SELECT output, artifact FROM modeling_stage_outputs WHERE run_id = $1 AND stage = $2`, [runId, stage]);
    return rows.length ? rows[0] : null;
  }

  async hasOutput(runId: string, stage: ModelingStage): Promise<boolean> {
    const rows = await this.query(`SELECT 1 FROM modeling_stage_outputs WHERE run_id = $1 AND stage = $2`, [runId, stage]);
    return rows.length > 0;
  }

  /** Stores a finished stage's output once; a concurrent duplicate of the same stage keeps the first. */
  async saveOutput(runId: string, stage: ModelingStage, output: unknown, artifact: Buffer | null, attempts: number): Promise<void> {
    await this.query(
      `INSERT INTO modeling_stage_outputs (run_id, stage, output, artifact, attempts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, stage) DO NOTHING`,
      [runId, stage, JSON.stringify(output), artifact, attempts],
    );
  }

  /** The newest succeeded run that registered this model version (or any version of the model when version is null). */
  async reportRun(modelId: string, version: number | null): Promise<string | null> {
    const rows = await this.query<{ run_id: string }>(
      `SELECT r.run_id::text AS run_id FROM modeling_runs r JOIN modeling_stage_outputs o ON o.run_id = r.run_id AND o.stage = 'report'
       WHERE r.model_id = $1 AND ($2::int IS NULL OR r.model_version = $2::int) ORDER BY r.created_at DESC LIMIT 1`,
      [modelId, version],
    );
    return rows.length ? rows[0].run_id : null;
  }

  /** Labelled examples of a campaign in a time window, with the listener's stored profile when the decision log had none. */
  async labelledExamples(campaignId: string, fromMs: number, toMs: number, limit: number): Promise<LabelledRow[]> {
    return this.query<LabelledRow>(
      `SELECT * FROM (
         SELECT (extract(epoch FROM l.decision_at) * 1000)::float8 AS at_ms, l.label::int AS label, l.platform, l.user_id,
                l.features, p.attributes AS profile
         FROM labelled_examples l LEFT JOIN listener_profiles p ON p.user_key = l.user_id
         WHERE l.campaign_id = $1 AND l.decision_at >= to_timestamp($2::float8 / 1000) AND l.decision_at < to_timestamp($3::float8 / 1000)
         ORDER BY l.decision_at DESC LIMIT $4
       ) recent ORDER BY at_ms`,
      [campaignId, fromMs, toMs, limit],
    );
  }
}

export interface LabelledRow {
  at_ms: number;
  label: number;
  platform: string;
  user_id: string;
  features: { user?: Record<string, unknown> | null; context?: Record<string, unknown> } | null;
  profile: Record<string, unknown> | null;
}
