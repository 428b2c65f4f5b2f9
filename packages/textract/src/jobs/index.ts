/**
 * @connect/textract/jobs — Textract analyses as durable work (needs `@connect/jobs`): start →
 * a job record on the queue → completion by the SNS notification (through the webhook inbox) or
 * by a delayed polling job, whichever comes first → parse → the host's handler. Every step is a
 * job, so a restart resumes where it stopped; the start is keyed (ClientRequestToken from the
 * job's idempotency key), so a start retried after a crash gets the same Textract job.
 */
import { IntegrationError, type IntegrationContext, type WebhookHandler, lazySchema, unlazy } from "@connect/core";
// Through the package's own name, so this entry shares the main entry's code instead of bundling a copy.
import { collectDocument, FeatureType, Query, S3Location, type Extraction, type ParsedDocument, type TextractClientInstance, type TextractNotificationEvent } from "@connect/textract";
import { defineJob, type JobContext, type JobDefinition, type JobQueue, type JobRetryOptions } from "@connect/jobs";
import { z } from "zod";

const TAG_PART = /^[A-Za-z0-9_.-]+$/;

/** What the host's handler receives once an analysis has finished. @public */
export interface DurableAnalysisResult {
  /** Textract's job id. */
  jobId: string;
  /** The host's reference given at start (a loan id, a document id). */
  ref: string;
  /** `SUCCEEDED`, `PARTIAL_SUCCESS` (some pages failed: see `warnings`) or `FAILED`. */
  status: "SUCCEEDED" | "PARTIAL_SUCCESS" | "FAILED";
  /** Textract's message for a failed job. */
  statusMessage?: string | undefined;
  /** The document type's typed fields, when the analysis was started with one. */
  extraction?: Extraction | undefined;
  /** The parsed document (lines, key-values, tables), when it was started without a document type. */
  document?: ParsedDocument | undefined;
  /** How the completion was learned: the SNS notification or a status poll. */
  completedBy: "notification" | "poll";
}

/** Options of {@link createDurableAnalysis}. @public */
export interface DurableAnalysisOptions {
  /** The Textract client the jobs use. */
  textract: TextractClientInstance;
  /** Runs once per finished analysis (at least once: make its writes idempotent, e.g. with `ctx.idempotencyKey`). */
  onResult: (result: DurableAnalysisResult, ctx: JobContext) => void | Promise<void>;
  /** Job name prefix (default `textract.analysis`); use another for a second pipeline on the same queue. */
  name?: string | undefined;
  /** First status poll after the start, the fallback when no notification arrives (default 60 000 ms). */
  pollAfterMs?: number | undefined;
  /** Longest wait between polls (default 300 000 ms). */
  maxPollDelayMs?: number | undefined;
  /** Polls before the analysis is dead-lettered as never finishing (default 60: with the defaults, about 4 hours). */
  maxPolls?: number | undefined;
  /** Backoff of the start and the completion when they fail (default: the jobs' defaults). */
  retry?: JobRetryOptions | undefined;
}

/** The pipeline's jobs, and the handler that turns SNS notifications into completions. @public */
export interface DurableAnalysis {
  /** Enqueue this with a {@link DurableAnalysisStart} payload to start an analysis. */
  readonly start: JobDefinition;
  /** Polls a running analysis. */
  readonly poll: JobDefinition;
  /** Reads the result and runs `onResult`. */
  readonly complete: JobDefinition;
  /** All three, for `createJobQueue({ jobs })`. */
  readonly jobs: JobDefinition[];
  /** `onNotification` for `createTextractNotificationReceiver`: enqueues the completion on `queue`. */
  notificationHandler(queue: JobQueue): WebhookHandler<TextractNotificationEvent>;
}

const StartPayload = lazySchema(() =>
  z.object({
  /** The host's reference, echoed to `onResult` (letters, digits, `_ . -`). */
  ref: z.string().min(1).max(40).regex(TAG_PART, "letters, digits and _ . -"),
  document: S3Location,
  features: z.array(FeatureType).min(1),
  queries: z.array(Query).optional(),
  documentType: z.string().min(1).max(22).regex(TAG_PART, "letters, digits and _ . -").optional(),
  notification: z.strictObject({ snsTopicArn: z.string().startsWith("arn:"), roleArn: z.string().startsWith("arn:") }).optional(),
}),
);

/** Payload of the start job. @public */
export type DurableAnalysisStart = z.input<typeof StartPayload>;

const Running = lazySchema(() =>
  z.object({ jobId: z.string().min(1).max(64), ref: z.string().min(1), documentType: z.string().optional() }),
);
const Completion = lazySchema(() =>
  unlazy(Running).extend({ completedBy: z.enum(["notification", "poll"]) }),
);

/** The JobTag carries what the completion needs when it is learned from a notification. */
function jobTagOf(ref: string, documentType: string | undefined): string {
  return `${documentType ?? "-"}:${ref}`;
}

function fromJobTag(tag: string | undefined): { ref: string; documentType: string | undefined } | undefined {
  const at = tag?.indexOf(":") ?? -1;
  if (!tag || at < 1) return undefined;
  const type = tag.slice(0, at);
  return { ref: tag.slice(at + 1), documentType: type === "-" ? undefined : type };
}

/** Thrown by the poll job while the analysis runs: retried after the poll delay, not an error. */
class StillRunning extends IntegrationError {
  constructor(jobId: string) {
    super(`textract job ${jobId} is still IN_PROGRESS`, { vendor: "textract", operation: "analyses.poll", retryable: true, mayHaveReachedVendor: false });
  }
}

/**
 * Create the durable analysis pipeline.
 * @example
 * const analysis = createDurableAnalysis({ textract, onResult: (r) => saveSurvey(r.ref, r.extraction) });
 * const queue = createJobQueue({ backend, jobs: analysis.jobs });
 * const sns = createTextractNotificationReceiver({ verifier, inbox, onNotification: analysis.notificationHandler(queue) });
 * await queue.enqueue(analysis.start, { ref: "LN-1001", document: { bucket, name }, features: ["FORMS"], documentType: "SURVEY" }, { jobId: "survey:LN-1001" });
 * @public
 */
export function createDurableAnalysis(options: DurableAnalysisOptions): DurableAnalysis {
  const { textract } = options;
  const prefix = options.name ?? "textract.analysis";
  const pollAfterMs = options.pollAfterMs ?? 60_000;
  const complete = defineJob({
    name: `${prefix}.complete`,
    payload: Completion,
    retry: options.retry,
    handler: async ({ jobId, ref, documentType, completedBy }, ctx) => {
      const head = await textract.analyses.getPage({ jobId, maxResults: 1 }, callContext(ctx));
      if (head.status === "IN_PROGRESS") throw new StillRunning(jobId);
      if (head.status === "FAILED") {
        await options.onResult({ jobId, ref, status: "FAILED", statusMessage: head.statusMessage, completedBy }, ctx);
        return;
      }
      const result: DurableAnalysisResult = { jobId, ref, status: head.status, completedBy };
      if (documentType) result.extraction = await textract.analyses.extract(jobId, documentType, callContext(ctx));
      else {
        const pages = [];
        for await (const page of textract.analyses.parsed(jobId, callContext(ctx))) pages.push(page);
        result.document = collectDocument(pages);
      }
      await options.onResult(result, ctx);
    },
  });
  const poll = defineJob({
    name: `${prefix}.poll`,
    payload: Running,
    maxAttempts: options.maxPolls ?? 60,
    retry: { minDelayMs: pollAfterMs, maxDelayMs: options.maxPollDelayMs ?? 300_000, factor: 1.5, jitter: true },
    handler: async (running, ctx) => {
      const head = await textract.analyses.getPage({ jobId: running.jobId, maxResults: 1 }, callContext(ctx));
      if (head.status === "IN_PROGRESS") throw new StillRunning(running.jobId);
      await ctx.enqueue(complete, { ...running, completedBy: "poll" }, { jobId: completionId(running.jobId) });
    },
  });
  const start = defineJob({
    name: `${prefix}.start`,
    payload: StartPayload,
    retry: options.retry,
    handler: async ({ ref, ...input }, ctx) => {
      // Keyed: ClientRequestToken comes from the job's idempotency key, so every attempt gets the same JobId.
      const { jobId } = await textract.analyses.start({ ...input, jobTag: jobTagOf(ref, input.documentType) }, ctx);
      await ctx.enqueue(poll, { jobId, ref, documentType: input.documentType }, { jobId: `${prefix}.poll:${jobId}`, delayMs: pollAfterMs });
    },
  });
  function completionId(jobId: string): string {
    return `${prefix}.complete:${jobId}`;
  }
  return {
    start,
    poll,
    complete,
    jobs: [start, poll, complete],
    notificationHandler(queue) {
      return async (event) => {
        const tag = fromJobTag(event.jobTag);
        if (!tag) return; // not started by this pipeline
        await queue.enqueue(complete, { jobId: event.jobId, ...tag, completedBy: "notification" }, { jobId: completionId(event.jobId) });
      };
    },
  };
}

/** The vendor calls of a job carry its correlation id, tenant and signal (not its idempotency key: these are reads). */
function callContext(ctx: JobContext): IntegrationContext {
  return { correlationId: ctx.correlationId, tenantId: ctx.tenantId, signal: ctx.signal };
}
