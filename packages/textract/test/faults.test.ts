import { ForbiddenError, RateLimitedError, ServerError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { generatedDocument } from "../src/testing/index.js";
import { bodies, useTextract } from "./helpers.js";

const SURVEY = { bucket: "in-bucket", name: "surveys/lot14.pdf" };

describe("faults through core's policy (the SDK's own retries are off)", () => {
  const t = useTextract({ inProgressPolls: 0 });

  it("retries ThrottlingException and ProvisionedThroughputExceededException, then succeeds", async () => {
    t.fake.failNext("StartDocumentAnalysis", { code: "ThrottlingException" });
    t.fake.failNext("StartDocumentAnalysis", { code: "ProvisionedThroughputExceededException" });
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }, { idempotencyKey: "retry-1" });
    const sent = bodies(t.server, "StartDocumentAnalysis");
    expect(sent).toHaveLength(3);
    // every attempt carries the same ClientRequestToken, so Textract runs the job once
    expect(sent.map((b) => b.ClientRequestToken)).toEqual(["retry-1", "retry-1", "retry-1"]);
    expect(t.fake.jobs.size).toBe(1);
    expect(t.fake.jobs.has(jobId)).toBe(true);
  });

  it("ends in RateLimitedError with the attempt count when LimitExceededException persists", async () => {
    for (let i = 0; i < 3; i++) t.fake.failNext("StartDocumentAnalysis", { code: "LimitExceededException", message: "too many concurrent jobs" });
    const error = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ vendor: "textract", operation: "analyses.start", vendorCode: "LimitExceededException", vendorMessage: "too many concurrent jobs", attempts: 3, status: 400 });
    expect(bodies(t.server, "StartDocumentAnalysis")).toHaveLength(3);
  });

  it("retries an InternalServerError (500) on reads", async () => {
    const { jobId } = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] });
    t.fake.failNext("GetDocumentAnalysis", { code: "InternalServerError", status: 500 });
    const page = await t.client.analyses.getPage({ jobId });
    expect(page.status).toBe("SUCCEEDED");
    expect(bodies(t.server, "GetDocumentAnalysis")).toHaveLength(2);
  });

  it("retries a throttled result page mid-stream and resumes from the same NextToken", async () => {
    t.fake.putDocument("in-bucket", "big.pdf", generatedDocument(4));
    const { jobId } = await t.client.analyses.start({ document: { bucket: "in-bucket", name: "big.pdf" }, features: ["FORMS", "TABLES"] });
    const pages: number[] = [];
    for await (const page of t.client.analyses.parsed(jobId, {}, { maxResults: 30 })) {
      if (pages.length === 0) t.fake.failNext("GetDocumentAnalysis", { code: "ThrottlingException" });
      pages.push(page.page);
    }
    expect(pages).toEqual([1, 2, 3, 4]);
    const tokens = bodies(t.server, "GetDocumentAnalysis").map((b) => b.NextToken);
    const retried = tokens.findIndex((tok, i) => i > 0 && tok !== undefined && tok === tokens[i - 1]);
    expect(retried).toBeGreaterThan(0);
    expect(new Set(tokens).size).toBe(tokens.length - 1);
  });

  it("gives up on persistent 500s with ServerError", async () => {
    for (let i = 0; i < 3; i++) t.fake.failNext("GetDocumentAnalysis", { code: "InternalServerError", status: 500 });
    const error = await t.client.analyses.getPage({ jobId: "j" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ vendorCode: "InternalServerError", status: 500, attempts: 3 });
  });

  it("maps AccessDeniedException to ForbiddenError without retrying", async () => {
    t.fake.failNext("StartDocumentAnalysis", { code: "AccessDeniedException", message: "not authorized" });
    const error = await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ vendorCode: "AccessDeniedException", retryable: false, status: 400 });
    expect(bodies(t.server, "StartDocumentAnalysis")).toHaveLength(1);
  });

  it("keeps the client's secret access key out of errors (registered as a secret)", async () => {
    t.fake.failNext("StartDocumentAnalysis", { code: "InvalidParameterException", message: "bad key fake-secret-access-key-0123" });
    const error = (await t.client.analyses.start({ document: SURVEY, features: ["FORMS"] }).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(JSON.stringify(error.toJSON())).not.toContain("fake-secret-access-key-0123");
    expect(error.vendorMessage).toBe("bad key [REDACTED]");
  });

  it("health check is an authenticated GetDocumentAnalysis answered InvalidJobIdException", async () => {
    const health = await t.client.healthCheck();
    expect(health.status).toBe("healthy");
    expect(bodies(t.server, "GetDocumentAnalysis")).toEqual([{ JobId: "connect-health-check" }]);
    expect(t.server.requests[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/us-east-1\/textract\/aws4_request/);
  });
});
