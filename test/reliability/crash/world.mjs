// The crash suite's world, built the same way by the test (to enqueue and inspect) and by each
// worker child (to run): the queue on the backend under test, the jobs (an SMS through Twilio, an
// unsafe write guarded by a durable idempotency store; a Textract analysis, keyed by
// ClientRequestToken), and a Twilio status-callback receiver on a durable webhook inbox whose
// handler sends an SMS. `die(point)` is how a child kills itself at a chosen point.
import { createTwilioClient, createTwilioWebhookHandler } from "@connect/twilio";
import { createTextractClient } from "@connect/textract";
import { createJobQueue, createSqliteBackend, createWebhookInbox, defineJob } from "@connect/jobs";
import { z } from "zod";

export const AUTH_TOKEN = "crash-twilio-auth-token-000001";
export const ACCOUNT_SID = `AC${"c".repeat(32)}`;
export const FROM = "+14155552345";
export const TO = "+14155550100";
export const TEXTRACT_CREDENTIALS = { accessKeyId: "AKIDCRASHSUITE00000", secretAccessKey: "crash-suite-secret-access-key" };
export const LEASE_MS = { sqlite: 400, bullmq: 500, sqs: 1_000 };

const FAST = { retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 20, jitter: false }, breaker: false, limiter: false, retryBudget: false, timeout: { attemptMs: 3_000, totalMs: 8_000 } };

/** Open the backend under test (and the durable idempotency store the unsafe write needs). */
export async function openBackend(config) {
  if (config.backend === "sqlite") {
    const backend = createSqliteBackend({ path: config.db, pollMs: 25 });
    return { backend, idempotencyStore: backend.idempotencyStore, close: () => backend.close() };
  }
  if (config.backend === "bullmq") {
    const { createBullMqBackend } = await import("@connect/jobs/bullmq");
    const { connectRedis, createRedisIdempotencyStore } = await import("@connect/core/redis");
    const redis = await connectRedis(config.redisUrl);
    const backend = createBullMqBackend({ connection: config.redisUrl, prefix: config.prefix, stalledIntervalMs: 250 });
    const idempotencyStore = createRedisIdempotencyStore({ redis, prefix: `${config.prefix}:idem:` });
    return { backend, idempotencyStore, close: async () => (await backend.close(), redis.disconnect()) };
  }
  if (config.backend === "sqs") {
    const { createSqsBackend } = await import("@connect/jobs/sqs");
    const { SQSClient } = await import("@aws-sdk/client-sqs");
    const sqs = new SQSClient({ region: "us-east-1", endpoint: config.sqsUrl, credentials: TEXTRACT_CREDENTIALS });
    // SQS has no idempotency store of its own: the host keeps one beside it (here the embedded one).
    const side = createSqliteBackend({ path: config.db });
    const backend = createSqsBackend({ client: sqs, queueUrls: config.queueUrls, waitTimeSeconds: 1, deadLetters: side.deadLetters, dedupe: side.dedupeStore });
    return { backend, idempotencyStore: side.idempotencyStore, close: async () => (await backend.close(), await side.close(), sqs.destroy()) };
  }
  throw new Error(`unknown backend ${config.backend}`);
}

/** Build the queue, the inbox and their jobs on an open backend. */
export function buildWorld(config, opened, die = () => undefined) {
  const leaseMs = LEASE_MS[config.backend];
  // The unsafe write's key lives in a durable store; the child may die right after Twilio accepted
  // the message and before the store records it (the "after the vendor accepted" point).
  const store = {
    begin: (...a) => opened.idempotencyStore.begin(...a),
    complete: (...a) => (die("after-accept"), opened.idempotencyStore.complete(...a)),
    fail: (...a) => opened.idempotencyStore.fail(...a),
    abandon: (...a) => (opened.idempotencyStore.abandon ?? opened.idempotencyStore.fail).apply(opened.idempotencyStore, a),
    wait: (...a) => opened.idempotencyStore.wait(...a),
  };
  const twilio = createTwilioClient({ accountSid: ACCOUNT_SID, auth: { authToken: AUTH_TOKEN }, baseUrl: config.twilioUrl, policy: FAST, idempotencyStore: store });
  const textract = createTextractClient({ region: "us-east-1", endpoint: config.textractUrl, credentials: TEXTRACT_CREDENTIALS, policy: FAST });
  const retry = { minDelayMs: 20, maxDelayMs: 200, jitter: false };
  const sms = defineJob({
    name: "sms",
    payload: z.object({ body: z.string() }),
    leaseMs,
    maxAttempts: 50, // crashes are injected on purpose here; a real deployment keeps the default
    retry,
    handler: async ({ body }, ctx) => {
      die("before-call");
      await twilio.messages.send({ to: TO, from: FROM, body }, ctx);
      die("before-ack");
    },
  });
  const analysis = defineJob({
    name: "analysis",
    payload: z.object({ bucket: z.string(), name: z.string() }),
    leaseMs,
    maxAttempts: 50, // crashes are injected on purpose here; a real deployment keeps the default
    retry,
    handler: async (document, ctx) => {
      die("before-call");
      await textract.analyses.start({ document, features: ["FORMS"], documentType: "SURVEY" }, ctx);
      die("before-ack");
    },
  });
  const queue = createJobQueue({ name: "crash", backend: opened.backend, jobs: [sms, analysis] });
  const inbox = createWebhookInbox({ backend: opened.backend, name: "crash-inbox", retry, leaseMs, maxAttempts: 50 });
  // The inbox's handler has an effect the Textract fake counts: one analysis per status callback,
  // keyed by the event (the handler is at-least-once; its write is what makes it effectively once).
  const receiver = createTwilioWebhookHandler({
    authToken: AUTH_TOKEN,
    inbox,
    onStatus: async (event, ctx) => {
      die("before-call");
      await textract.analyses.start(
        { document: { bucket: "in-bucket", name: `webhooks/${event.messageSid}.pdf` }, features: ["FORMS"], documentType: "SURVEY" },
        { idempotencyKey: `inbox-${event.messageSid}`, correlationId: ctx.correlationId, resumed: ctx.resumed },
      );
      die("before-ack");
    },
  });
  return { queue, inbox, receiver, jobs: { sms, analysis }, twilio, textract, async close() { await queue.close(); await inbox.queue.close(); await twilio.close?.(); await textract.close?.(); } };
}
