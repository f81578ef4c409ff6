import { Injectable } from '@nestjs/common';
import { createProfileImportReader, type ProfileImportFormat } from '../../engine/targeting/profile-import';
import type { ListenerProfile } from '../../engine/targeting/profile-schema';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { invalid, MAX_REPORTED_PROBLEMS, ok, type ServiceResult, type LineProblem } from '../../platform/http/service-result';
import { ListenerIndexService } from './listener-index.service';
import { PackageService } from './package.service';
import { ProfileRepository } from './profile.repository';
import { LineTooLongError, readLineBatches, UploadTooLargeError } from '../../platform/http/stream-lines';

export const PROFILE_BATCH_ROWS = 5_000;
const MAX_IGNORED_FIELDS = 50;

export interface ProfileImportReport {
  inserted: number;
  updated: number;
  rejected: number;
  problems: LineProblem[];
  ignoredFields: string[];
  revision: number;
}

/**
 * Streams a profile file (NDJSON or CSV with a header) into listener_profiles in batches,
 * upserting by user key. Rows are independent: good rows are stored, bad ones reported with
 * their line. Afterwards every node's index catches up and rule packages recompute (queued).
 */
@Injectable()
export class ProfileImportService {
  constructor(
    private readonly repository: ProfileRepository,
    private readonly listeners: ListenerIndexService,
    private readonly packages: PackageService,
    private readonly bus: ConfigChangeBus,
  ) {}

  async importStream(body: AsyncIterable<Buffer | string>, format: ProfileImportFormat, options: { limitBytes: number }): Promise<ServiceResult<ProfileImportReport>> {
    const reader = createProfileImportReader(format);
    const report: ProfileImportReport = { inserted: 0, updated: 0, rejected: 0, problems: [], ignoredFields: [], revision: this.listeners.revision };
    const ignored = new Set<string>();
    // Keyed by user so a user repeated within one batch is written once, last line winning.
    let batch = new Map<string, ListenerProfile>();
    let lastRevision = 0;
    // The parser's messages start with "line N: "; the report carries the line separately.
    const reject = (line: number, messages: string[]) => {
      if (report.problems.length < MAX_REPORTED_PROBLEMS) report.problems.push({ line, message: messages.map((m) => m.replace(/^line \d+: /, '')).join('; ') });
    };
    const flush = async () => {
      if (batch.size === 0) return;
      const rows = [...batch].map(([userKey, profile]) => ({ userKey, profile }));
      batch = new Map();
      const written = await this.repository.upsertBatch(rows);
      report.inserted += written.inserted;
      report.updated += written.updated;
      lastRevision = written.revision;
    };
    let failure: ServiceResult<ProfileImportReport> | null = null;
    try {
      for await (const lines of readLineBatches(body, options.limitBytes)) {
        for (const line of lines) {
          const result = reader.pushLine(line);
          if (result.kind === 'skip') continue;
          if (result.kind === 'error') {
            report.rejected++;
            reject(result.lineNo, result.errors.map((e) => e.message));
            continue;
          }
          for (const field of result.ignoredFields) if (ignored.size < MAX_IGNORED_FIELDS) ignored.add(field);
          batch.delete(result.userKey);
          batch.set(result.userKey, result.profile);
          if (batch.size >= PROFILE_BATCH_ROWS) await flush();
        }
      }
      const end = reader.finish();
      if (end.kind === 'error') {
        report.rejected++;
        reject(end.lineNo, end.errors.map((e) => e.message));
      }
      await flush();
    } catch (error) {
      const imported = `rows before it were imported (${report.inserted} inserted, ${report.updated} updated)`;
      if (error instanceof UploadTooLargeError) failure = { kind: 'too-large', message: `${error.message}; ${imported}` };
      else if (error instanceof LineTooLongError) failure = invalid('body', `${error.message}; ${imported}`);
      else throw error;
    } finally {
      // Whatever was committed becomes visible everywhere, even if the upload failed half-way.
      if (lastRevision > 0) {
        await this.listeners.refresh();
        await this.bus.change(async () => undefined);
        await this.packages.profilesChanged(lastRevision);
      }
    }
    report.ignoredFields = [...ignored];
    report.revision = Math.max(lastRevision, this.listeners.revision);
    return failure ?? ok(report);
  }
}
