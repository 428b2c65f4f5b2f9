/**
 * @connect/bpo/jobs — the BPO nightly import as durable work (needs `@connect/jobs`): a job that
 * imports the night's export with a checkpoint before every write, so an import killed half-way
 * resumes where it stopped on the next attempt, with a report as exact as an uninterrupted one;
 * and the schedule that runs it (by default 02:00 in America/Los_Angeles).
 */
import { IntegrationError, lazySchema } from "@connect/core";
import { defineJob, type JobContext, type JobDefinition, type JobRetryOptions, type JobSchedule } from "@connect/jobs";
import { z } from "zod";
// Through the package's own name, so this entry shares the main entry's code instead of bundling a copy.
import { importBpoExport, type BpoExportFile, type BpoExportReader, type BpoImportCheckpoint, type BpoImportOptions, type BpoImportReport } from "@connect/bpo";

/** Options of {@link defineBpoImportJob}. @public */
export interface BpoImportJobOptions extends Omit<BpoImportOptions, "onCheckpoint" | "resumeFrom" | "signal" | "correlationId" | "tenantId"> {
  /** Where the exports are delivered (a folder, S3, SFTP …). */
  reader: BpoExportReader;
  /** Runs once per finished import with its report (at least once: after a crash it may run again with the same report). */
  onReport?: ((report: BpoImportReport, ctx: JobContext) => void | Promise<void>) | undefined;
  /** Job name (default `bpo.nightly-import`). */
  name?: string | undefined;
  /** Attempts before the import is dead-lettered (default 5). */
  maxAttempts?: number | undefined;
  /** Backoff between attempts (default 1 min doubling to 30 min: an export arriving late, a store that is down). */
  retry?: JobRetryOptions | undefined;
  /** Longest run of one attempt (default 2 h). */
  timeoutMs?: number | undefined;
}

const Payload = lazySchema(() =>
  z.object({
  /** Import the export of this date (`YYYY-MM-DD`); without it, the newest delivery. */
  date: z.iso.date().optional(),
}),
);

/** Payload of the import job. @public */
export type BpoImportJobPayload = z.input<typeof Payload>;

/** What the job keeps in its checkpoint: the file it is importing and where the import stood. */
interface Saved {
  file: string;
  import?: BpoImportCheckpoint | undefined;
}

/**
 * Define the nightly import job.
 * @example
 * const nightly = defineBpoImportJob({ reader: folderExportReader("/srv/bpo/exports"), store, deadLetters, onReport: (r) => notifyOps(r) });
 * const queue = createJobQueue({ backend, jobs: [nightly], schedules: [bpoNightlySchedule(nightly)] });
 * @public
 */
export function defineBpoImportJob(options: BpoImportJobOptions): JobDefinition<typeof Payload> {
  const { reader, onReport, name, maxAttempts, retry, timeoutMs, ...importOptions } = options;
  return defineJob({
    name: name ?? "bpo.nightly-import",
    payload: Payload,
    maxAttempts,
    retry: { minDelayMs: 60_000, maxDelayMs: 30 * 60_000, ...retry },
    timeoutMs: timeoutMs ?? 2 * 60 * 60_000,
    leaseMs: 60_000,
    handler: async ({ date }, ctx) => {
      const saved = ctx.checkpoint as Saved | undefined;
      const file = await pick(reader, saved?.file, date, ctx.signal);
      if (!file) {
        if (date === undefined) {
          ctx.logger.info({}, "bpo nightly import: no export has been delivered yet; nothing to import");
          return;
        }
        throw new IntegrationError(`bpo nightly import: the export of ${date} has not been delivered yet`, { vendor: "bpo", operation: "export.import", retryable: true, mayHaveReachedVendor: false });
      }
      // The file is pinned before any row is written, so a resumed attempt imports the same one.
      if (saved?.file !== file.name) await ctx.saveCheckpoint({ file: file.name } satisfies Saved);
      const report = await importBpoExport(file, {
        ...importOptions,
        signal: ctx.signal,
        correlationId: ctx.correlationId,
        tenantId: ctx.tenantId,
        resumeFrom: saved?.file === file.name ? saved.import : undefined,
        onCheckpoint: (checkpoint) => ctx.saveCheckpoint({ file: file.name, import: checkpoint } satisfies Saved),
      });
      await onReport?.(report, ctx);
    },
  });
}

async function pick(reader: BpoExportReader, pinned: string | undefined, date: string | undefined, signal: AbortSignal): Promise<BpoExportFile | undefined> {
  if (pinned) {
    const found = (await reader.list(signal)).find((f) => f.name === pinned);
    if (found) return found;
    throw new IntegrationError(`bpo nightly import: ${pinned}, which this import had started, is no longer in the export folder`, { vendor: "bpo", operation: "export.import", retryable: false, mayHaveReachedVendor: false });
  }
  return date ? reader.forDate(date, signal) : reader.latest(signal);
}

/** Options of {@link bpoNightlySchedule}. @public */
export interface BpoNightlyScheduleOptions {
  /** Schedule name (default `bpo-nightly-import`). */
  name?: string | undefined;
  /** Cron pattern (default `0 2 * * *`). */
  cron?: string | undefined;
  /** Time zone of the pattern (default `America/Los_Angeles`). */
  timezone?: string | undefined;
  /** Tenant of the scheduled imports. */
  tenantId?: string | undefined;
}

/**
 * The schedule of the nightly import: by default every day at 02:00 Pacific time (daylight saving handled).
 * @public
 */
export function bpoNightlySchedule(job: JobDefinition<typeof Payload>, options: BpoNightlyScheduleOptions = {}): JobSchedule {
  return {
    name: options.name ?? "bpo-nightly-import",
    job,
    cron: options.cron ?? "0 2 * * *",
    timezone: options.timezone ?? "America/Los_Angeles",
    tenantId: options.tenantId,
    payload: {},
  };
}
