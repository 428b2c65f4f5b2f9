/**
 * A stateful fake of Amazon SQS on the AWS JSON 1.0 protocol (shared/vendors/sqs.md), as msw
 * handlers: it answers `POST` at any path with an `X-Amz-Target: AmazonSQS.<Operation>` header
 * (matched case-insensitively), hands out QueueUrls on its own origin, computes the exact MD5s the
 * SDKs verify, and keeps standard and FIFO queues with delays, visibility timeouts, long polls,
 * FIFO dedupe and group locks, redrive to dead-letter queues and move tasks. An operation it does
 * not implement answers 501 `NotImplementedByFake`, never a plausible SQS error.
 */
import { http, type RequestHandler } from "msw";
import { connectionReset } from "@connect/core/testing";
import { fault, faultResponse, okResponse, SqsFault } from "./sqs-errors.js";
import { createOperations } from "./sqs-operations.js";
import { createSqsState } from "./sqs-state.js";
import type { SqsFake, SqsFakeCall, SqsFakeFault, SqsFakeMessage, SqsFakeOptions, StoredMessage, StoredQueue } from "./sqs-types.js";
import { checkQueueAttributes, checkQueueName } from "./sqs-validate.js";

interface Parked {
  queue: StoredQueue;
  check(): void;
  finish(messages: StoredMessage[]): void;
  expiry: NodeJS.Timeout | undefined;
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref?.();
  return timer;
}

/**
 * Create an SQS fake.
 * @example
 * const fake = createSqsFake();
 * const server = await serveHandlers(fake.handlers);
 * const sqs = new SQSClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" } });
 * const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
 * @public
 */
export function createSqsFake(options: SqsFakeOptions = {}): SqsFake {
  const now = options.now ?? Date.now;
  const accountId = options.accountId ?? "000000000000";
  const state = createSqsState({ now, region: options.region ?? "us-east-1", accountId });
  const calls: SqsFakeCall[] = [];
  const parked = new Set<Parked>();
  let failures: Array<{ operation: string; fault: SqsFakeFault; left: number }> = [];
  let lastOrigin: string | undefined;

  /** Wait for messages: woken by any change, by the next delay/visibility deadline, or answered empty at the deadline. */
  function park(queue: StoredQueue, waitSeconds: number, attempt: () => StoredMessage[]): Promise<StoredMessage[]> {
    return new Promise((resolve) => {
      const schedule = (): void => {
        clearTimeout(entry.expiry);
        const at = state.nextAvailableAt(queue);
        // Real-time timer for a deadline on the fake's clock; with an injected clock, `wake()` does this job.
        entry.expiry = at === undefined ? undefined : unref(setTimeout(() => entry.check(), Math.max(5, at - now())));
      };
      const deadline = unref(setTimeout(() => entry.finish([]), waitSeconds * 1000));
      const entry: Parked = {
        queue,
        expiry: undefined,
        finish(messages) {
          clearTimeout(deadline);
          clearTimeout(entry.expiry);
          parked.delete(entry);
          resolve(messages);
        },
        check() {
          if (state.queues.get(queue.name) !== queue) return entry.finish([]);
          const taken = attempt();
          if (taken.length > 0) entry.finish(taken);
          else schedule();
        },
      };
      parked.add(entry);
      schedule();
    });
  }

  function wake(): void {
    for (const entry of [...parked]) if (parked.has(entry)) entry.check();
  }

  const operations = createOperations({
    state,
    now,
    accountId,
    originOf: (requestOrigin) => options.origin ?? requestOrigin,
    park,
    changed: wake,
  });
  const canonical = new Map(Object.keys(operations).map((name) => [name.toLowerCase(), name]));

  function takeFailure(operation: string): SqsFakeFault | undefined {
    const found = failures.find((f) => f.operation === "*" || f.operation.toLowerCase() === operation.toLowerCase());
    if (!found) return undefined;
    found.left -= 1;
    if (found.left <= 0) failures = failures.filter((f) => f !== found);
    return found.fault;
  }

  const notImplemented = (what: string): Response =>
    faultResponse(fault("NotImplementedByFake", `${what} is not implemented by the SQS fake (@connect/jobs/testing); add it there or test against real SQS.`));

  const handler = http.post("*", async ({ request }) => {
    const target = request.headers.get("x-amz-target");
    if (target === null) {
      // An SQS call on the legacy query protocol (form POST with Action=…, sqs.md §1) is SQS, just not implemented.
      if ((request.headers.get("content-type") ?? "").includes("x-www-form-urlencoded") && /(^|&)Action=/.test(await request.clone().text())) {
        return notImplemented("The SQS query protocol (Action=…)");
      }
      return undefined;
    }
    const match = /^amazonsqs\.(.+)$/i.exec(target);
    if (!match) return undefined;
    const requestOrigin = new URL(request.url).origin;
    lastOrigin = requestOrigin;
    const operation = canonical.get(match[1]!.toLowerCase()) ?? match[1]!;
    const text = await request.text();
    let body: Record<string, unknown> = {};
    try {
      body = text.trim() === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      calls.push({ operation, body: {}, outcome: "InvalidParameterValue" });
      return faultResponse(fault("InvalidParameterValue", "The request body is not valid JSON."));
    }
    const scripted = takeFailure(operation);
    if (scripted !== undefined) {
      const type = typeof scripted === "string" ? scripted : scripted.type;
      calls.push({ operation, body, outcome: type });
      if (type === "ConnectionReset") return connectionReset();
      return faultResponse(new SqsFault(type, typeof scripted === "string" ? undefined : scripted.message));
    }
    const run = operations[operation];
    if (!run) {
      calls.push({ operation, body, outcome: "NotImplementedByFake" });
      return notImplemented(`Operation ${operation}`);
    }
    try {
      const result = await run(body, requestOrigin);
      calls.push({ operation, body, outcome: "ok" });
      return okResponse(result);
    } catch (error) {
      if (error instanceof SqsFault) {
        calls.push({ operation, body, outcome: error.type });
        return faultResponse(error);
      }
      calls.push({ operation, body, outcome: "InternalFailure" });
      return faultResponse(fault("InternalFailure", `SQS fake bug in ${operation}: ${error instanceof Error ? error.message : String(error)}`));
    }
  });

  function queueNamed(nameOrUrl: string): StoredQueue {
    const name = /^https?:\/\//.test(nameOrUrl) ? decodeURIComponent(new URL(nameOrUrl).pathname.split("/").filter(Boolean).at(-1) ?? "") : nameOrUrl;
    const queue = state.queues.get(name);
    if (!queue) throw new Error(`SQS fake: no queue ${JSON.stringify(nameOrUrl)} (queues: ${[...state.queues.keys()].join(", ") || "none"})`);
    return queue;
  }

  function snapshot(m: StoredMessage): SqsFakeMessage {
    return {
      messageId: m.messageId,
      body: m.body,
      state: m.phase === "ready" ? "visible" : m.phase,
      receiveCount: m.receiveCount,
      sentTimestamp: m.sentAt,
      firstReceiveTimestamp: m.firstReceiveAt,
      availableAt: m.availableAt,
      messageAttributes: structuredClone(m.attributes),
      groupId: m.groupId,
      deduplicationId: m.dedupId,
      sequenceNumber: m.sequenceNumber,
      deadLetterSourceArn: m.deadLetterSourceArn,
    };
  }

  const answerParked = (): void => {
    for (const entry of [...parked]) entry.finish([]);
  };

  return {
    handlers: [handler] as RequestHandler[],
    calls,
    get parked() {
      return parked.size;
    },
    queueUrl(name) {
      const origin = options.origin ?? lastOrigin;
      if (origin === undefined) throw new Error("SQS fake: the origin is not known yet; pass createSqsFake({ origin: server.url }) or make a request first");
      return `${origin}/${accountId}/${name}`;
    },
    createQueue(name, attributes = {}) {
      const fifo = attributes.FifoQueue === "true";
      checkQueueName(name, fifo);
      state.create(name, fifo, checkQueueAttributes(attributes, { fifo, creating: true, findByArn: state.byArn }));
    },
    queueNames: () => [...state.queues.keys()],
    messages(queue) {
      const stored = queueNamed(queue);
      state.settle(stored);
      return [...stored.messages].sort((a, b) => a.seq - b.seq).map(snapshot);
    },
    counts: (queue) => state.counts(queueNamed(queue)),
    failNext(operation, scripted, failOptions = {}) {
      failures.push({ operation, fault: scripted, left: Math.max(1, failOptions.times ?? 1) });
    },
    clearFaults() {
      failures = [];
    },
    wake,
    reset() {
      answerParked();
      state.reset();
      calls.length = 0;
      failures = [];
    },
    close: answerParked,
  };
}
