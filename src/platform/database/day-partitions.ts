import { dayPartition } from '../../engine/feedback/events';
import type { DayPartitionedTable, DayPartitionsRepository } from './day-partitions.repository';

const DAY_MS = 86_400_000;
const DAYS_AHEAD = 2;

/**
 * Creates today's and the next days' partitions of a day-partitioned table ahead of need, and drops
 * the ones older than the retention (rows that fell into the default partition are deleted by date
 * instead). Idempotent, so several workers may run it. A day that already has rows in the default
 * partition keeps them there: attaching a partition over them would fail.
 */
export async function maintainDayPartitions(
  partitions: DayPartitionsRepository,
  target: DayPartitionedTable,
  nowMs: number,
  retentionDays: number,
): Promise<{ created: string[]; dropped: string[]; cutoffMs: number }> {
  const existing = await partitions.partitionNames(target);
  const created: string[] = [];
  for (let day = 0; day <= DAYS_AHEAD; day++) {
    const part = dayPartition(nowMs + day * DAY_MS);
    const name = `${target.table}_p${part.suffix}`;
    if (existing.has(name)) continue;
    if ((await partitions.rowsInDefault(target, part.startMs, part.endMs)) > 0) continue;
    await partitions.createDayPartition(target, name, part.startMs, part.endMs);
    created.push(name);
  }
  const cutoff = dayPartition(nowMs - retentionDays * DAY_MS);
  const pattern = new RegExp(`^${target.table}_p(\\d{8})$`);
  const dropped: string[] = [];
  for (const name of existing) {
    const match = pattern.exec(name);
    if (match && match[1] < cutoff.suffix) {
      await partitions.dropPartition(name);
      dropped.push(name);
    }
  }
  await partitions.deleteDefaultBefore(target, cutoff.startMs);
  return { created, dropped, cutoffMs: cutoff.startMs };
}
