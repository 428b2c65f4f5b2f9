/**
 * The SQS fake, driven through the real `@aws-sdk/client-sqs` (MD5 checks on) over loopback, so
 * the fake is proven against the official SDK's serialisation, error parsing and checksums
 * (shared/vendors/sqs.md).
 */
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidBatchEntryId,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  TooManyEntriesInBatchRequest,
  AddPermissionCommand,
  type Message,
} from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { createSqsFake, md5OfBody, md5OfMessageAttributes, type SqsFake } from "../src/testing/index.js";

const credentials = { accessKeyId: "AKIDFAKEEXAMPLE", secretAccessKey: "fake-secret" };
let clock = 1_800_000_000_000;
const fake: SqsFake = createSqsFake({ now: () => clock });
let server: ServedHandlers;
let sqs: SQSClient;

function client(maxAttempts = 1): SQSClient {
  return new SQSClient({ endpoint: server.url, region: "us-east-1", credentials, maxAttempts });
}

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

async function receive(QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}): Promise<Message[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"], ...extra }));
  return out.Messages ?? [];
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; Code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  server = await serveHandlers(fake.handlers);
  sqs = client();
});
afterEach(() => {
  fake.reset();
  clock = 1_800_000_000_000;
});
afterAll(async () => {
  fake.close();
  sqs.destroy();
  await server.close();
});

describe("round trip", () => {
  it("creates a queue on the fake's own origin, sends, receives with exact MD5s and system attributes, deletes", async () => {
    const url = await createQueue("orders");
    expect(url).toBe(`${server.url}/000000000000/orders`);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }))).QueueUrl).toBe(url);

    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hello", MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } } }));
    expect(sent.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ kind: { DataType: "String", StringValue: "greeting" } }));

    clock += 250;
    const [message, ...rest] = await receive(url);
    expect(rest).toEqual([]);
    expect(message!.MessageId).toBe(sent.MessageId);
    expect(message!.Body).toBe("hello");
    expect(message!.MD5OfBody).toBe(md5OfBody("hello"));
    expect(message!.MessageAttributes).toEqual({ kind: { DataType: "String", StringValue: "greeting" } });
    expect(message!.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message!.Attributes).toEqual({
      SenderId: "000000000000",
      SentTimestamp: "1800000000000",
      ApproximateReceiveCount: "1",
      ApproximateFirstReceiveTimestamp: "1800000000250",
    });
    expect(fake.counts("orders")).toEqual({ visible: 0, inflight: 1, delayed: 0 });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle }));
    expect(fake.messages("orders")).toEqual([]);
  });

  it("returns only the requested message attributes, with the MD5 over those", async () => {
    const url = await createQueue("filtered");
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: "x",
        MessageAttributes: { "connect.a": { DataType: "Number", StringValue: "1" }, "connect.b": { DataType: "String", StringValue: "b" }, other: { DataType: "String", StringValue: "o" } },
      }),
    );
    const [message] = await receive(url, { MessageAttributeNames: ["connect.*"], MessageSystemAttributeNames: ["ApproximateReceiveCount"] });
    expect(Object.keys(message!.MessageAttributes ?? {}).sort()).toEqual(["connect.a", "connect.b"]);
    expect(message!.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ "connect.a": { DataType: "Number", StringValue: "1" }, "connect.b": { DataType: "String", StringValue: "b" } }));
    expect(message!.Attributes).toEqual({ ApproximateReceiveCount: "1" });
  });
});

describe("MD5OfMessageAttributes (sqs.md §5 vectors)", () => {
  it("matches the two-string-attribute vector, computed and as answered to the SDK", async () => {
    const attributes = {
      test_attribute_name_1: { DataType: "String", StringValue: "test_attribute_value_1" },
      test_attribute_name_2: { DataType: "String", StringValue: "test_attribute_value_2" },
    };
    expect(md5OfMessageAttributes(attributes)).toBe("d53f3b558fe951154770f25cb63dbba9");
    const url = await createQueue("vectors");
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hello", MessageAttributes: attributes }));
    expect(sent.MD5OfMessageAttributes).toBe("d53f3b558fe951154770f25cb63dbba9");
  });

  it("matches the binary-attribute vector, sent by the SDK as bytes", async () => {
    expect(md5OfMessageAttributes({ test_attribute_name: { DataType: "Binary", BinaryValue: Buffer.from("test_attribute_value").toString("base64") } })).toBe("23f6bd27ea87aab7dfeadcc9aebee495");
    const url = await createQueue("binary");
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "b", MessageAttributes: { test_attribute_name: { DataType: "Binary", BinaryValue: new TextEncoder().encode("test_attribute_value") } } }));
    expect(sent.MD5OfMessageAttributes).toBe("23f6bd27ea87aab7dfeadcc9aebee495");
    const [message] = await receive(url);
    expect(Buffer.from(message!.MessageAttributes!.test_attribute_name!.BinaryValue!).toString("utf8")).toBe("test_attribute_value");
    expect(message!.MD5OfMessageAttributes).toBe("23f6bd27ea87aab7dfeadcc9aebee495");
  });

  it("answers the batch MD5s the SDK verifies, for multi-byte bodies too", async () => {
    const url = await createQueue("batch-md5");
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "a", MessageBody: "héllo wörld ✓" }, { Id: "b", MessageBody: "𝄞 clef" }] }));
    expect(out.Failed).toEqual([]);
    expect(out.Successful!.map((s) => [s.Id, s.MD5OfMessageBody])).toEqual([
      ["a", md5OfBody("héllo wörld ✓")],
      ["b", md5OfBody("𝄞 clef")],
    ]);
    expect((await receive(url)).map((m) => m.Body)).toEqual(["héllo wörld ✓", "𝄞 clef"]);
  });
});

describe("visibility", () => {
  it("hides a received message for its timeout, then hands it out again with a new handle and count 2", async () => {
    const url = await createQueue("vis", { VisibilityTimeout: "30" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "job" }));
    const [first] = await receive(url);
    clock += 29_999;
    expect(await receive(url)).toEqual([]);
    clock += 1;
    const [second] = await receive(url);
    expect(second!.MessageId).toBe(first!.MessageId);
    expect(second!.ReceiptHandle).not.toBe(first!.ReceiptHandle);
    expect(second!.Attributes!.ApproximateReceiveCount).toBe("2");
    expect(second!.Attributes!.ApproximateFirstReceiveTimestamp).toBe("1800000000000");

    // Standard + stale handle: the delete succeeds but deletes nothing (sqs.md §6).
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    expect(fake.messages("vis").map((m) => [m.state, m.receiveCount])).toEqual([["inflight", 2]]);
    const stale = await rejection(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 10 })));
    expect([stale.name, stale.message]).toEqual(["InvalidParameterValue", `Value ${first!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));
    expect(fake.messages("vis")).toEqual([]);
  });

  it("ChangeMessageVisibility counts from the call, 0 makes it visible, a visible message is not in flight, 12 h is the cap", async () => {
    const url = await createQueue("cmv");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
    const [m] = await receive(url, { VisibilityTimeout: 5 });
    clock += 4_000;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 10 }));
    expect(fake.messages("cmv")[0]!.availableAt).toBe(1_800_000_014_000);
    const beyond = await rejection(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 43_200 })));
    expect([beyond.name, beyond.message]).toEqual(["InvalidParameterValue", "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"]);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(fake.counts("cmv")).toEqual({ visible: 1, inflight: 0, delayed: 0 });
    const notInflight = await rejection(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 5 })));
    expect([notInflight.name, notInflight.$metadata?.httpStatusCode]).toEqual(["MessageNotInflight", 400]);
    const garbage = await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "not-a-handle" })));
    expect([garbage.name, garbage.$metadata?.httpStatusCode, garbage.message]).toEqual(["ReceiptHandleIsInvalid", 404, 'The input receipt handle "not-a-handle" is not a valid receipt handle.']);
  });

  it("drops messages older than MessageRetentionPeriod", async () => {
    const url = await createQueue("short-lived", { MessageRetentionPeriod: "60" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "old" }));
    clock += 30_000;
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "new" }));
    clock += 30_000;
    expect((await receive(url)).map((m) => m.Body)).toEqual(["new"]);
  });

  it("reports ApproximateNumberOfMessages, …NotVisible and …Delayed", async () => {
    const url = await createQueue("counts");
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "a", MessageBody: "a" }, { Id: "b", MessageBody: "b" }, { Id: "c", MessageBody: "c", DelaySeconds: 60 }, { Id: "d", MessageBody: "d" }] }));
    await receive(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 120 });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }));
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: "2", ApproximateNumberOfMessagesNotVisible: "1", ApproximateNumberOfMessagesDelayed: "1" });
    clock += 60_000;
    expect(fake.counts("counts")).toEqual({ visible: 3, inflight: 1, delayed: 0 });
  });
});

describe("redrive", () => {
  it("moves a message to the DLQ on the receive that would exceed maxReceiveCount, and a move task brings it back", async () => {
    const dlq = await createQueue("work-dlq");
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    expect(dlqArn).toBe("arn:aws:sqs:us-east-1:000000000000:work-dlq");
    const url = await createQueue("work", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    for (const count of ["1", "2"]) {
      const [m] = await receive(url, { VisibilityTimeout: 1 });
      expect([m!.MessageId, m!.Attributes!.ApproximateReceiveCount]).toEqual([sent.MessageId, count]);
      clock += 1_000;
    }
    expect(await receive(url)).toEqual([]);
    const [dead] = await receive(dlq);
    expect([dead!.MessageId, dead!.Body, dead!.Attributes!.DeadLetterQueueSourceArn, dead!.Attributes!.SentTimestamp]).toEqual([sent.MessageId, "poison", "arn:aws:sqs:us-east-1:000000000000:work", "1800000000000"]);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlq, ReceiptHandle: dead!.ReceiptHandle, VisibilityTimeout: 0 }));

    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(typeof TaskHandle).toBe("string");
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(Results).toEqual([{ Status: "COMPLETED", SourceArn: dlqArn, ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 1, StartedTimestamp: 1_800_000_002_000 }]);
    expect(fake.messages("work").map((m) => [m.body, m.state, m.receiveCount])).toEqual([["poison", "visible", 0]]);
  });

  it("refuses a RedrivePolicy whose target does not exist", async () => {
    const error = await rejection(createQueue("orphan", { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:nope", maxReceiveCount: 3 }) }));
    expect([error.name, error.message]).toEqual(["InvalidParameterValue", 'Value {"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.']);
  });
});

describe("FIFO", () => {
  it("requires MessageGroupId and a deduplication id, and refuses per-message DelaySeconds", async () => {
    const url = await createQueue("orders.fifo", { FifoQueue: "true" });
    const noGroup = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageDeduplicationId: "d" })));
    expect([noGroup.name, noGroup.message]).toEqual(["MissingParameter", "The request must contain the parameter MessageGroupId."]);
    const noDedup = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g" })));
    expect(noDedup.name).toBe("InvalidParameterValue");
    const delayed = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 5 })));
    expect([delayed.name, delayed.message]).toEqual(["InvalidParameterValue", "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."]);
    expect(fake.messages("orders.fifo")).toEqual([]);
  });

  it("dedupes within 5 minutes (same MessageId and SequenceNumber back), by id or by body hash", async () => {
    const url = await createQueue("dedupe.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
    const one = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a", MessageGroupId: "g", MessageDeduplicationId: "job-1" }));
    clock += 299_999;
    const again = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "other body", MessageGroupId: "g", MessageDeduplicationId: "job-1" }));
    expect([again.MessageId, again.SequenceNumber]).toEqual([one.MessageId, one.SequenceNumber]);
    const byBody = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "g" }));
    const byBodyAgain = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "same", MessageGroupId: "h" }));
    expect(byBodyAgain.MessageId).toBe(byBody.MessageId);
    expect(fake.messages("dedupe.fifo").map((m) => m.body)).toEqual(["a", "same"]);
    clock += 1;
    const later = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a", MessageGroupId: "g", MessageDeduplicationId: "job-1" }));
    expect(later.MessageId).not.toBe(one.MessageId);
    expect(BigInt(later.SequenceNumber!) > BigInt(byBody.SequenceNumber!)).toBe(true);
  });

  it("hands a group out in order and holds it while one of its messages is in flight", async () => {
    const url = await createQueue("groups.fifo", { FifoQueue: "true" });
    const send = (body: string, group: string) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }));
    await send("a1", "a");
    await send("a2", "a");
    await send("b1", "b");
    const [first] = await receive(url, { MaxNumberOfMessages: 1 });
    expect(first!.Body).toBe("a1");
    expect(first!.Attributes).toMatchObject({ MessageGroupId: "a", MessageDeduplicationId: "a1" });
    expect((await receive(url)).map((m) => m.Body)).toEqual(["b1"]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    const [next] = await receive(url);
    expect(next!.Body).toBe("a2");
    expect(BigInt(next!.Attributes!.SequenceNumber!) > BigInt(first!.Attributes!.SequenceNumber!)).toBe(true);
  });

  it("refuses a delete with an expired handle", async () => {
    const url = await createQueue("expire.fifo", { FifoQueue: "true" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "x" }));
    const [m] = await receive(url, { VisibilityTimeout: 1 });
    clock += 1_000;
    const error = await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle })));
    expect([error.name, error.message]).toEqual(["InvalidParameterValue", `Value ${m!.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`]);
  });

  it("a retried receive with the same ReceiveRequestAttemptId returns the same messages and handles", async () => {
    const url = await createQueue("attempt.fifo", { FifoQueue: "true" });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "x" }));
    const [a] = await receive(url, { ReceiveRequestAttemptId: "try-1" });
    const [b] = await receive(url, { ReceiveRequestAttemptId: "try-1" });
    expect([b!.MessageId, b!.ReceiptHandle, b!.Attributes!.ApproximateReceiveCount]).toEqual([a!.MessageId, a!.ReceiptHandle, "1"]);
  });
});

describe("long polling", () => {
  it("parks a receive and wakes it when a message is sent", async () => {
    const url = await createQueue("poll");
    const started = Date.now();
    const pending = receive(url, { WaitTimeSeconds: 10 });
    await expect.poll(() => fake.parked).toBe(1);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake up" }));
    expect((await pending).map((m) => m.Body)).toEqual(["wake up"]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.parked).toBe(0);
  });

  it("wakes a parked receive when a delay runs out (real clock)", async () => {
    const real = createSqsFake();
    const realServer = await serveHandlers(real.handlers);
    const realSqs = new SQSClient({ endpoint: realServer.url, region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      const { QueueUrl } = await realSqs.send(new CreateQueueCommand({ QueueName: "delayed" }));
      const sentAt = Date.now();
      await realSqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 1 }));
      const { Messages } = await realSqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
      const waited = Date.now() - sentAt;
      expect(Messages!.map((m) => m.Body)).toEqual(["later"]);
      expect(waited).toBeGreaterThanOrEqual(990);
      expect(waited).toBeLessThan(2_500);
    } finally {
      real.close();
      realSqs.destroy();
      await realServer.close();
    }
  });

  it("wakes on an injected clock's visibility expiry when told to look again", async () => {
    const url = await createQueue("clocked");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
    await receive(url, { VisibilityTimeout: 600 });
    const pending = receive(url, { WaitTimeSeconds: 10 });
    await expect.poll(() => fake.parked).toBe(1);
    clock += 600_000;
    fake.wake();
    const [again] = await pending;
    expect(again!.Attributes!.ApproximateReceiveCount).toBe("2");
  });
});

describe("batches", () => {
  it("refuses malformed batches as the SDK's typed exceptions", async () => {
    const url = await createQueue("batches");
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` }));
    const empty = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect([empty.name, empty instanceof EmptyBatchRequest, empty.Code]).toEqual(["EmptyBatchRequest", true, "AWS.SimpleQueueService.EmptyBatchRequest"]);
    const many = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(11) })));
    expect([many.name, many instanceof TooManyEntriesInBatchRequest, many.message]).toEqual(["TooManyEntriesInBatchRequest", true, "Maximum number of entries per request are 10. You have sent 11."]);
    const twice = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] })));
    expect([twice.name, twice instanceof BatchEntryIdsNotDistinct]).toEqual(["BatchEntryIdsNotDistinct", true]);
    const badId = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "no spaces", MessageBody: "1" }] })));
    expect([badId.name, badId instanceof InvalidBatchEntryId]).toEqual(["InvalidBatchEntryId", true]);
    const big = "x".repeat(600_000);
    const tooLong = await rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "a", MessageBody: big }, { Id: "b", MessageBody: big }] })));
    expect([tooLong.name, tooLong instanceof BatchRequestTooLong, tooLong.message]).toEqual(["BatchRequestTooLong", true, "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."]);
    const deleteEmpty = await rejection(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(deleteEmpty.name).toBe("EmptyBatchRequest");
    expect(fake.messages("batches")).toEqual([]);
  });

  it("reports refused entries in Failed and stores the rest", async () => {
    const url = await createQueue("partial");
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "ok", MessageBody: "fine" },
          { Id: "bad-delay", MessageBody: "x", DelaySeconds: 901 },
          { Id: "bad-chars", MessageBody: "nul \u0000 here" },
        ],
      }),
    );
    expect(out.Successful!.map((s) => s.Id)).toEqual(["ok"]);
    expect(out.Failed).toEqual([
      { Id: "bad-delay", SenderFault: true, Code: "InvalidParameterValue", Message: "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900." },
      { Id: "bad-chars", SenderFault: true, Code: "InvalidMessageContents", Message: "Invalid characters found. Valid characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF." },
    ]);
    const [m] = await receive(url);
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "good", ReceiptHandle: m!.ReceiptHandle }, { Id: "junk", ReceiptHandle: "junk" }] }));
    expect(deleted.Successful).toEqual([{ Id: "good" }]);
    expect(deleted.Failed).toEqual([{ Id: "junk", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: 'The input receipt handle "junk" is not a valid receipt handle.' }]);
  });

  it("refuses a message over MaximumMessageSize", async () => {
    const url = await createQueue("small", { MaximumMessageSize: "1024" });
    const error = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x".repeat(1020), MessageAttributes: { k: { DataType: "String", StringValue: "abc" } } })));
    expect([error.name, error.message]).toEqual(["InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."]);
  });
});

describe("queues", () => {
  it("QueueDoesNotExist, QueueNameExists, attribute validation, ListQueues paging, PurgeQueue once a minute", async () => {
    const missing = await rejection(sqs.send(new SendMessageCommand({ QueueUrl: `${server.url}/000000000000/nope`, MessageBody: "x" })));
    expect([missing.name, missing instanceof QueueDoesNotExist, missing.Code, missing.message]).toEqual(["QueueDoesNotExist", true, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."]);
    const a = await createQueue("app-a", { VisibilityTimeout: "60" });
    expect(await createQueue("app-a", { VisibilityTimeout: "60" })).toBe(a);
    const exists = await rejection(createQueue("app-a", { VisibilityTimeout: "61" }));
    expect(exists.name).toBe("QueueNameExists");
    const badValue = await rejection(sqs.send(new SetQueueAttributesCommand({ QueueUrl: a, Attributes: { ReceiveMessageWaitTimeSeconds: "21" } })));
    expect([badValue.name, badValue.message]).toEqual(["InvalidAttributeValue", "Invalid value for the parameter ReceiveMessageWaitTimeSeconds."]);
    const fifoOnly = await rejection(sqs.send(new SetQueueAttributesCommand({ QueueUrl: a, Attributes: { ContentBasedDeduplication: "true" } })));
    expect(fifoOnly.name).toBe("InvalidAttributeName");
    await createQueue("app-b");
    await createQueue("other");
    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "app-", MaxResults: 1 }));
    expect(page1.QueueUrls).toEqual([a]);
    const page2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "app-", MaxResults: 1, NextToken: page1.NextToken }));
    expect([page2.QueueUrls, page2.NextToken]).toEqual([[`${server.url}/000000000000/app-b`], undefined]);

    await sqs.send(new SendMessageCommand({ QueueUrl: a, MessageBody: "x" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: a }));
    expect(fake.messages("app-a")).toEqual([]);
    const again = await rejection(sqs.send(new PurgeQueueCommand({ QueueUrl: a })));
    expect([again.name, again.$metadata?.httpStatusCode]).toEqual(["PurgeQueueInProgress", 403]);
  });
});

describe("faults and the unimplemented", () => {
  it("sends the status, x-amzn-query-error header and __type body of sqs.md §1", async () => {
    const response = await fetch(`${server.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "amazonsqs.getqueueurl" },
      body: JSON.stringify({ QueueName: "absent" }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
    expect(await response.json()).toEqual({ __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
  });

  it("answers an operation it does not implement with 501 NotImplementedByFake, and the query protocol too", async () => {
    const url = await createQueue("perm");
    const error = await rejection(sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: "l", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] })));
    expect([error.name, error.$metadata?.httpStatusCode, error.message]).toEqual([
      "NotImplementedByFake",
      501,
      "Operation AddPermission is not implemented by the SQS fake (@connect/jobs/testing); add it there or test against real SQS.",
    ]);
    const query = await fetch(`${server.url}/`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListQueues&Version=2012-11-05" });
    expect(query.status).toBe(501);
    expect(((await query.json()) as { __type: string }).__type).toBe("com.amazonaws.sqs#NotImplementedByFake");
  });

  it("fails the next calls as scripted; the SDK retries RequestThrottled and gives up on InternalFailure after its attempts", async () => {
    const url = await createQueue("faulty");
    const retrying = client(3);
    try {
      fake.failNext("SendMessage", "RequestThrottled");
      const sent = await retrying.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" }));
      expect(sent.$metadata.attempts).toBe(2);
      expect(fake.calls.filter((c) => c.operation === "SendMessage").map((c) => c.outcome)).toEqual(["RequestThrottled", "ok"]);
      fake.failNext("receivemessage", "InternalFailure", { times: 3 });
      const error = await rejection(retrying.send(new ReceiveMessageCommand({ QueueUrl: url })));
      expect([error.name, error.$metadata?.httpStatusCode, error.$metadata?.attempts]).toEqual(["InternalFailure", 500, 3]);
      expect(fake.counts("faulty")).toEqual({ visible: 1, inflight: 0, delayed: 0 });
      fake.failNext("*", "ConnectionReset");
      const reset = await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: "faulty" })));
      expect([reset.name, (reset as Error & { code?: string }).code, reset.$metadata?.httpStatusCode]).toEqual(["TimeoutError", "ECONNRESET", undefined]);
      expect(fake.calls.at(-1)).toEqual({ operation: "GetQueueUrl", body: { QueueName: "faulty" }, outcome: "ConnectionReset" });
    } finally {
      retrying.destroy();
    }
  });
});
