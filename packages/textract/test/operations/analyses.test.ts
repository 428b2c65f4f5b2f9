import { ConflictError, NotFoundError, TimeoutError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { clientRequestToken, TextractJobFailedError } from "../../src/index.js";
import { fakeDocument, generatedDocument } from "../../src/testing/index.js";
import { bodies, useTextract } from "../helpers.js";

const SURVEY = { bucket: "in-bucket", name: "surveys/lot14.pdf" };
const NOTIFY = { snsTopicArn: "arn:aws:sns:us-east-1:111122223333:textract", roleArn: "arn:aws:iam::111122223333:role/TextractSNS" };

describe("analyses.start (StartDocumentAnalysis)", () => {
  const t = useTextract();

  it("sends features, every-page queries of the document type, the key as ClientRequestToken, tag, channel and output", async () => {
    const { jobId } = await t.client.analyses.start(
      { document: SURVEY, features: ["FORMS"], documentType: "SURVEY", queries: [{ text: "Who signed?", alias: "SIGNER" }], jobTag: "tenant-t_1:doc-9", notification: NOTIFY, output: { bucket: "out-bucket", prefix: "tx" } },
      { idempotencyKey: "doc-9-analysis" },
    );
    expect(jobId).toMatch(/^[0-9a-f]{64}$/);
    const [body] = bodies(t.server, "StartDocumentAnalysis");
    expect(body).toMatchObject({
      DocumentLocation: { S3Object: { Bucket: "in-bucket", Name: "surveys/lot14.pdf" } },
      FeatureTypes: ["FORMS", "QUERIES"],
      ClientRequestToken: "doc-9-analysis",
      JobTag: "tenant-t_1:doc-9",
      NotificationChannel: { SNSTopicArn: NOTIFY.snsTopicArn, RoleArn: NOTIFY.roleArn },
      OutputConfig: { S3Bucket: "out-bucket", S3Prefix: "tx" },
    });
    const queries = (body!.QueriesConfig as { Queries: { Alias: string; Pages: string[] }[] }).Queries;
    expect(queries.map((q) => q.Alias)).toEqual(["PARCEL_NUMBER", "LOT_SIZE_SQFT", "FLOOD_ZONE", "FRONT_SETBACK_FT", "SIDE_SETBACK_FT", "REAR_SETBACK_FT", "EASEMENTS", "OWNER", "SURVEY_DATE", "SIGNER"]);
    expect(queries.every((q) => q.Pages.join() === "*")).toBe(true);
    expect(t.fake.jobs.get(jobId)?.status).toBe("IN_PROGRESS");
  });

  it("returns the same job for the same idempotency key (Textract dedupes on the token)", async () => {
    const a = await t.client.analyses.start({ document: SURVEY, features: ["TABLES"] }, { idempotencyKey: "k-1" });
    const b = await t.client.analyses.start({ document: SURVEY, features: ["TABLES"] }, { idempotencyKey: "k-1" });
    expect(b.jobId).toBe(a.jobId);
    expect(t.fake.jobs.size).toBe(1);
  });

  it("derives a stable valid token when the host passes no key, and hashes keys Textract would refuse", async () => {
    const a = await t.client.analyses.start({ document: SURVEY, features: ["TABLES"] });
    const b = await t.client.analyses.start({ document: SURVEY, features: ["TABLES"] });
    expect(b.jobId).toBe(a.jobId);
    const longKey = `tenant:t_1/doc:9/${"x".repeat(80)}`;
    await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }, { idempotencyKey: longKey });
    const tokens = bodies(t.server, "StartDocumentAnalysis").map((x) => x.ClientRequestToken as string);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(tokens[2]).toBe(clientRequestToken(longKey));
    expect(tokens[2]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("maps a reused key with different parameters to ConflictError", async () => {
    await t.client.analyses.start({ document: SURVEY, features: ["TABLES"] }, { idempotencyKey: "k-2" });
    const error = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }, { idempotencyKey: "k-2" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ vendor: "textract", operation: "analyses.start", vendorCode: "IdempotentParameterMismatchException", status: 400, retryable: false });
  });

  it("rejects bad input before any request", async () => {
    const error = await t.client.analyses
      .start({ document: { bucket: "b", name: "" }, features: ["QUERIES"], jobTag: "has space" } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path).sort()).toEqual(["document.bucket", "document.name", "jobTag", "queries"]);
    const unknownType = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], documentType: "APPRAISAL" }).catch((e: unknown) => e);
    expect(unknownType).toBeInstanceOf(ValidationError);
    expect((unknownType as ValidationError).issues).toEqual([{ path: "documentType", message: "not a registered document type" }]);
    expect(t.server.requests).toEqual([]);
  });

  it("maps an unreadable S3 object to a non-retried ValidationError", async () => {
    const error = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "missing.pdf" }, features: ["FORMS"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ vendorCode: "InvalidS3ObjectException", status: 400, retryable: false });
    expect(bodies(t.server, "StartDocumentAnalysis")).toHaveLength(1);
  });
});

describe("analyses.getPage / pages / parsed (GetDocumentAnalysis)", () => {
  const t = useTextract({ inProgressPolls: 0 });

  it("follows NextToken page by page with MaxResults, and parses a page split across result pages", async () => {
    t.fake.putDocument("in-bucket", "big.pdf", generatedDocument(5));
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "big.pdf" }, features: ["FORMS", "TABLES"] });
    const sizes: number[] = [];
    for await (const page of t.client.analyses.pages(jobId, {}, { maxResults: 20 })) sizes.push(page.blocks.length);
    const gets = bodies(t.server, "GetDocumentAnalysis");
    expect(gets[0]).toEqual({ JobId: jobId, MaxResults: 20 });
    expect(gets[1]).toEqual({ JobId: jobId, MaxResults: 20, NextToken: expect.stringMatching(/^p\d+o\d+$/) });
    expect(sizes.slice(0, -1).every((n) => n === 20)).toBe(true);
    const parsed = [];
    for await (const page of t.client.analyses.parsed(jobId, {}, { maxResults: 20 })) parsed.push(page);
    expect(parsed.map((p) => p.page)).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.map((p) => p.keyValues.map((kv) => [kv.key, kv.value || kv.selected]))).toEqual(
      [1, 2, 3, 4, 5].map((n) => [[`Field ${n}:`, `Value ${n}`], ["Reviewed:", n % 2 === 0]]),
    );
    expect(parsed[4]!.tables[0]!.rows).toEqual([["Item", "Quantity", "Amount"], ["Row 5", "5", "$50.00"]]);
    expect(parsed.flatMap((p) => p.warnings)).toEqual([]);
  });

  it("maps an unknown job id to NotFoundError", async () => {
    const error = await t.client.analyses.getPage({ jobId: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ vendor: "textract", operation: "analyses.getPage", vendorCode: "InvalidJobIdException", status: 400, retryable: false });
    expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(1);
  });

  it("extracts typed SURVEY fields from the stream; the Get status decides a partial result", async () => {
    t.fake.putDocument("in-bucket", "partial.pdf", { ...fakeDocument([{}, { answers: { FLOOD_ZONE: "Zone X" } }]), status: "PARTIAL_SUCCESS", warnings: [{ ErrorCode: "PAGE_PROCESSING_FAILED", Pages: [1] }] });
    const full = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"], documentType: "SURVEY" });
    const survey = await t.client.analyses.extract(full.jobId, "SURVEY");
    expect(survey.data.LOT_SIZE_SQFT).toBe(10890);
    expect(survey.data.EASEMENTS).toEqual(["10' utility easement (rear)", "5' drainage easement", "access easement"]);
    expect([survey.status, survey.partial, survey.needsReview]).toEqual(["SUCCEEDED", false, ["REAR_SETBACK_FT"]]);
    const partial = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "partial.pdf" }, features: ["FORMS"], documentType: "SURVEY" });
    const result = await t.client.analyses.extract(partial.jobId, "SURVEY");
    expect([result.status, result.partial, result.data]).toEqual(["PARTIAL_SUCCESS", true, { FLOOD_ZONE: "X" }]);
  });
});

describe("analyses.waitFor", () => {
  const t = useTextract({ inProgressPolls: 2 });
  const recordSleeps = () => {
    const sleeps: number[] = [];
    return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) };
  };

  it("polls with growing backoff until SUCCEEDED", async () => {
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] });
    const { sleeps, sleep } = recordSleeps();
    const result = await t.client.analyses.waitFor(jobId, {}, { minDelayMs: 100, factor: 3, maxDelayMs: 250, sleep });
    expect(result).toEqual({ jobId, status: "SUCCEEDED", partial: false, pageCount: 2, warnings: [], polls: 3 });
    expect(sleeps).toEqual([100, 250]);
    expect(bodies(t.server, "GetDocumentAnalysis").every((b) => b.MaxResults === 1)).toBe(true);
  });

  it("ends in TimeoutError at the deadline instead of polling forever", async () => {
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] });
    let clock = 0;
    const error = await t.client.analyses
      .waitFor(jobId, {}, { minDelayMs: 400, deadlineMs: 500, now: () => clock, sleep: async (ms) => void (clock += ms) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: "deadline", timeoutMs: 500, retryable: false, operation: "analyses.waitFor" });
    expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(2);
  });

  it("stops on FAILED with a typed error carrying the status message", async () => {
    t.fake.putDocument("in-bucket", "bad.pdf", { ...fakeDocument([{}]), status: "FAILED", statusMessage: "UNSUPPORTED_DOCUMENT" });
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "bad.pdf" }, features: ["FORMS"] });
    const error = await t.client.analyses.waitFor(jobId, {}, recordSleeps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextractJobFailedError);
    expect(error).toMatchObject({ jobStatus: "FAILED", statusMessage: "UNSUPPORTED_DOCUMENT", retryable: false, vendor: "textract" });
  });

  it("returns PARTIAL_SUCCESS with its warnings, or throws when asked to", async () => {
    t.fake.putDocument("in-bucket", "p.pdf", { ...fakeDocument([{}, {}]), status: "PARTIAL_SUCCESS", warnings: [{ ErrorCode: "PAGE_FAILED", Pages: [2] }] });
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "p.pdf" }, features: ["FORMS"] });
    const result = await t.client.analyses.waitFor(jobId, {}, recordSleeps());
    expect(result).toMatchObject({ status: "PARTIAL_SUCCESS", partial: true, warnings: [{ errorCode: "PAGE_FAILED", pages: [2] }] });
    const error = await t.client.analyses.waitFor(jobId, {}, { ...recordSleeps(), partial: "throw" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextractJobFailedError);
    expect((error as TextractJobFailedError).jobStatus).toBe("PARTIAL_SUCCESS");
  });
});
