import { createServer, type Server } from "node:http";
import { createMemoryDedupeStore } from "@connect/core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createSnsVerifier, createTextractNotificationReceiver, type TextractNotificationEvent } from "../src/index.js";
import { fakeDocument, TEST_SIGNING_CERT_PEM, TEST_SIGNING_CERT_URL } from "../src/testing/index.js";
import { useTextract } from "./helpers.js";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:textract";
const NOTIFY = { snsTopicArn: TOPIC, roleArn: "arn:aws:iam::111122223333:role/TextractSNS" };
const SURVEY = { bucket: "in-bucket", name: "surveys/lot14.pdf" };

// The endpoint must exist before the fake (which posts to it) is created.
const endpoint = { events: [] as TextractNotificationEvent[], statuses: [] as number[], server: undefined as Server | undefined, url: "" };
const verifier = createSnsVerifier({ topicArns: [TOPIC], trustedCertificates: { [TEST_SIGNING_CERT_URL]: TEST_SIGNING_CERT_PEM } });
const receiver = createTextractNotificationReceiver({ verifier, onNotification: (e) => void endpoint.events.push(e) });
endpoint.server = createServer((req, res) => {
  res.on("finish", () => endpoint.statuses.push(res.statusCode));
  void receiver.node(req, res);
});
await new Promise<void>((resolve) => endpoint.server!.listen(0, "127.0.0.1", resolve));
endpoint.url = `http://127.0.0.1:${(endpoint.server.address() as { port: number }).port}/sns`;

describe("completion by SNS through the fake", () => {
  const t = useTextract({ snsEndpoint: endpoint.url, signatureVersion: "1", completeAfterMs: 1 });
  beforeEach(() => {
    endpoint.events.length = 0;
    endpoint.statuses.length = 0;
  });
  afterAll(() => new Promise<void>((resolve) => endpoint.server!.close(() => resolve())));

  it("posts one SignatureVersion 1 notification that verifies, even when the start is repeated with the same key", async () => {
    const a = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], jobTag: "t_1:doc_1", notification: NOTIFY }, { idempotencyKey: "once" });
    const b = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], jobTag: "t_1:doc_1", notification: NOTIFY }, { idempotencyKey: "once" });
    await t.fake.settled();
    expect(b.jobId).toBe(a.jobId);
    expect(endpoint.statuses).toEqual([200]);
    expect(endpoint.events.map((e) => [e.jobId, e.status, e.jobTag, e.api])).toEqual([[a.jobId, "SUCCEEDED", "t_1:doc_1", "StartDocumentAnalysis"]]);
    expect(t.fake.jobs.get(a.jobId)?.notificationsSent).toBe(1);
  });

  it("announces PARTIAL_SUCCESS as SUCCEEDED on SNS; the results call reports the partial result", async () => {
    t.fake.putDocument("in-bucket", "partial.pdf", { ...fakeDocument([{}, {}]), status: "PARTIAL_SUCCESS", warnings: [{ ErrorCode: "PAGE_FAILED", Pages: [2] }] });
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "partial.pdf" }, features: ["FORMS"], documentType: "SURVEY", notification: NOTIFY });
    await t.fake.settled();
    expect(endpoint.events.map((e) => e.status)).toEqual(["SUCCEEDED"]);
    const result = await t.client.analyses.extract(jobId, "SURVEY");
    expect([result.status, result.partial]).toEqual(["PARTIAL_SUCCESS", true]);
  });

  it("a FAILED job is announced FAILED and the notification still verifies", async () => {
    t.fake.putDocument("in-bucket", "bad.pdf", { ...fakeDocument([{}]), status: "FAILED", statusMessage: "UNSUPPORTED_DOCUMENT" });
    await t.client.analyses.start({ document: { bucket: "in-bucket", name: "bad.pdf" }, features: ["FORMS"], notification: NOTIFY });
    await t.fake.settled();
    expect(endpoint.statuses).toEqual([200]);
    expect(endpoint.events.map((e) => e.status)).toEqual(["FAILED"]);
  });

  it("two workers sharing one dedupe store handle a redelivered notification once", async () => {
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], notification: NOTIFY });
    await t.fake.settled();
    const handled: string[] = [];
    const dedupe = createMemoryDedupeStore();
    const workers = ["a", "b"].map((name) => createTextractNotificationReceiver({ verifier, dedupe, onNotification: (e) => void handled.push(`${name}:${e.jobId}`) }));
    const servers = await Promise.all(
      workers.map(async (worker) => {
        const server = createServer((req, res) => void worker.node(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return server;
      }),
    );
    const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as { port: number }).port}/sns`;
    // SNS delivers the same signed message (same MessageId) once to each worker.
    const message = await new Promise<Buffer>((resolve) => {
      const capture = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => (res.end(), capture.close(), resolve(Buffer.concat(chunks))));
      });
      capture.listen(0, "127.0.0.1", () => void t.fake.notify(jobId, urlOf(capture as Server)));
    });
    const statuses: number[] = [];
    for (const server of servers) statuses.push((await fetch(urlOf(server), { method: "POST", body: new Uint8Array(message), headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" } })).status);
    expect(statuses).toEqual([200, 200]);
    expect(handled).toEqual([`a:${jobId}`]);
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it("a body far larger than any SNS message is refused with 413 before verification", async () => {
    const handled: unknown[] = [];
    const small = createTextractNotificationReceiver({ verifier, maxBodyBytes: 1024, onNotification: (e) => void handled.push(e) });
    const res = await small.fetch(new Request("http://127.0.0.1/sns", { method: "POST", body: "x".repeat(4096) }));
    expect(res.status).toBe(413);
    expect(handled).toEqual([]);
  });

  it("a receiver that does not trust the test certificate (and cannot fetch one) refuses with 401; no handler runs", async () => {
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], notification: NOTIFY });
    await t.fake.settled();
    endpoint.events.length = 0;
    endpoint.statuses.length = 0;
    const strict = createSnsVerifier({ topicArns: [TOPIC], fetchCertificate: async () => { throw new Error("offline"); } });
    const other = createTextractNotificationReceiver({ verifier: strict, onNotification: (e) => void endpoint.events.push(e) });
    const server = createServer((req, res) => void other.node(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const res = await t.fake.notify(jobId, `http://127.0.0.1:${(server.address() as { port: number }).port}/sns`);
    expect(res.status).toBe(401);
    expect(endpoint.events).toEqual([]);
    await new Promise((resolve) => server.close(resolve));
  });
});
