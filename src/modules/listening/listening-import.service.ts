import { Injectable } from '@nestjs/common';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { readLineBatches } from '../../platform/http/stream-lines';
import { parseItemLine, parsePlayLine, type ItemLine } from './listening-lines';
import { ListeningRepository } from './listening.repository';

export interface ListeningImportReport {
  /** Lines stored (plays or item metadata). */
  accepted: number;
  rejected: number;
  /** First 100 malformed lines. */
  problems: { line: number; message: string }[];
  /** Distinct listeners and items the import touched. */
  users: number;
  items: number;
}

const FLUSH_PAIRS = 5000;
const MAX_PROBLEMS = 100;

/**
 * Streams listening data into the listening tables, a few thousand pairs per statement; malformed
 * lines are reported by number and skipped. A bulk load is the same call as an incremental update:
 * mode 'replace' overwrites a pair's play count, 'add' adds to it. The configuration version is
 * bumped at the end so API nodes reload the histories the CF scorer reads.
 */
@Injectable()
export class ListeningImportService {
  constructor(
    private readonly repository: ListeningRepository,
    private readonly bus: ConfigChangeBus,
  ) {}

  async importPlays(body: AsyncIterable<Buffer | string>, options: { format: 'tsv' | 'ndjson'; mode: 'replace' | 'add'; limitBytes: number }): Promise<ListeningImportReport> {
    const report: ListeningImportReport = { accepted: 0, rejected: 0, problems: [], users: 0, items: 0 };
    const users = new Set<string>();
    const items = new Set<string>();
    let pending = new Map<string, { userKey: string; itemKey: string; plays: number }>();
    const flush = async (): Promise<void> => {
      if (pending.size === 0) return;
      const batch = [...pending.values()];
      pending = new Map();
      const userIdx = await this.repository.indexKeys('users', batch.map((p) => p.userKey));
      const itemIdx = await this.repository.indexKeys('items', batch.map((p) => p.itemKey));
      await this.repository.upsertPlays(
        batch.map((p) => userIdx.get(p.userKey)!),
        batch.map((p) => itemIdx.get(p.itemKey)!),
        batch.map((p) => p.plays),
        options.mode,
      );
    };
    let lineNo = 0;
    for await (const lines of readLineBatches(body, options.limitBytes)) {
      for (const line of lines) {
        lineNo++;
        const parsed = parsePlayLine(line, options.format, lineNo);
        if (parsed.kind === 'skip') continue;
        if (parsed.kind === 'error') {
          report.rejected++;
          if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line: lineNo, message: parsed.message });
          continue;
        }
        const { userKey, itemKey, plays } = parsed.value;
        report.accepted++;
        users.add(userKey);
        items.add(itemKey);
        // Within one statement a pair may appear once: repeated lines sum (Last.fm files list a pair once).
        const pairKey = `${userKey}\u0000${itemKey}`;
        const prev = pending.get(pairKey);
        pending.set(pairKey, { userKey, itemKey, plays: (prev?.plays ?? 0) + plays });
      }
      if (pending.size >= FLUSH_PAIRS) await flush();
    }
    await flush();
    report.users = users.size;
    report.items = items.size;
    if (report.accepted > 0) await this.bus.change(async () => undefined);
    return report;
  }

  async importItems(body: AsyncIterable<Buffer | string>, options: { format: 'tsv' | 'ndjson'; limitBytes: number }): Promise<ListeningImportReport> {
    const report: ListeningImportReport = { accepted: 0, rejected: 0, problems: [], users: 0, items: 0 };
    const items = new Set<string>();
    let pending: ItemLine[] = [];
    let lineNo = 0;
    for await (const lines of readLineBatches(body, options.limitBytes)) {
      for (const line of lines) {
        lineNo++;
        const parsed = parseItemLine(line, options.format, lineNo);
        if (parsed.kind === 'skip') continue;
        if (parsed.kind === 'error') {
          report.rejected++;
          if (report.problems.length < MAX_PROBLEMS) report.problems.push({ line: lineNo, message: parsed.message });
          continue;
        }
        report.accepted++;
        items.add(parsed.value.itemKey);
        pending.push(parsed.value);
      }
      if (pending.length >= FLUSH_PAIRS) {
        await this.repository.upsertItems(pending);
        pending = [];
      }
    }
    await this.repository.upsertItems(pending);
    report.items = items.size;
    if (report.accepted > 0) await this.bus.change(async () => undefined);
    return report;
  }
}
