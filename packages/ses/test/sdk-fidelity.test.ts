/**
 * The fake accepts what @aws-sdk/client-sesv2 itself sends (restJson1, SigV4 with signing name
 * `ses`), and the SDK reads the fake's answers and errors as it reads SES's — driven with the
 * bare SDK client, not through this package.
 */
import {
  DeleteSuppressedDestinationCommand,
  GetAccountCommand,
  GetSuppressedDestinationCommand,
  ListEmailIdentitiesCommand,
  ListSuppressedDestinationsCommand,
  MessageRejected,
  NotFoundException,
  PutSuppressedDestinationCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mapSesError } from "../src/index.js";
import { createSesFake, type SesFake } from "../src/testing/index.js";
import { CREDENTIALS } from "./helpers.js";

let fake: SesFake;
let server: ServedHandlers;
let sdk: SESv2Client;
beforeEach(async () => {
  fake = createSesFake({ credentials: CREDENTIALS, region: "eu-west-1", identities: ["acme.test"], templates: { welcome: { subject: "Welcome {{name}}", text: "Hi {{name}}" } } });
  server = await serveHandlers(fake.handlers);
  sdk = new SESv2Client({ region: "eu-west-1", endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1 });
});
afterEach(async () => {
  sdk.destroy();
  await server.close();
});

const rejectionOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe("the fake under the official SESv2 SDK", () => {
  it("SendEmail simple: routed, SigV4 accepted, MessageId read back", async () => {
    const out = await sdk.send(new SendEmailCommand({ FromEmailAddress: "noreply@acme.test", Destination: { ToAddresses: ["ana@example.com"] }, Content: { Simple: { Subject: { Data: "Hi" }, Body: { Text: { Data: "Hello" } } } }, EmailTags: [{ Name: "k", Value: "v" }] }));
    expect(out.MessageId).toBe(fake.sent[0]!.messageId);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const call = fake.calls[0]!;
    expect([call.method, call.path, call.headers.get("content-type")]).toEqual(["POST", "/v2/email/outbound-emails", "application/json"]);
    expect(call.headers.get("authorization")).toMatch(/Credential=AKIDSESFAKE\/\d{8}\/eu-west-1\/ses\/aws4_request/);
  });

  it("SendEmail raw: the SDK's base64 blob is decoded into the stored MIME", async () => {
    const mime = "From: noreply@acme.test\r\nTo: ana@example.com\r\nSubject: raw\r\n\r\nbody\r\n";
    await sdk.send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(mime) } } }));
    expect(fake.sent[0]).toMatchObject({ kind: "raw", from: "noreply@acme.test", to: ["ana@example.com"], subject: "raw" });
    expect(fake.sent[0]!.raw!.toString()).toBe(mime);
  });

  it("SendBulkEmail: entry results in order, partial failure in a 200", async () => {
    fake.failNextEntries("TRANSIENT_FAILURE");
    const out = await sdk.send(
      new SendBulkEmailCommand({
        FromEmailAddress: "noreply@acme.test",
        DefaultContent: { Template: { TemplateName: "welcome", TemplateData: '{"name":"x"}' } },
        BulkEmailEntries: [{ Destination: { ToAddresses: ["a@example.com"] } }, { Destination: { ToAddresses: ["b@example.com"] }, ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: '{"name":"B"}' } } }],
      }),
    );
    expect(out.BulkEmailEntryResults?.map((r) => r.Status)).toEqual(["TRANSIENT_FAILURE", "SUCCESS"]);
    expect(fake.sent.map((s) => s.subject)).toEqual(["Welcome B"]);
  });

  it("suppression list: the address path-encoded (a%2Bb%40x), timestamps as epoch seconds read back as Dates, List query params", async () => {
    await sdk.send(new PutSuppressedDestinationCommand({ EmailAddress: "a+b@example.com", Reason: "BOUNCE" }));
    const got = await sdk.send(new GetSuppressedDestinationCommand({ EmailAddress: "a+b@example.com" }));
    expect(got.SuppressedDestination?.EmailAddress).toBe("a+b@example.com");
    expect(got.SuppressedDestination?.LastUpdateTime).toBeInstanceOf(Date);
    expect(got.SuppressedDestination?.LastUpdateTime?.getTime()).toBe(fake.suppressions.get("a+b@example.com")!.lastUpdateTime.getTime());
    const list = await sdk.send(new ListSuppressedDestinationsCommand({ Reasons: ["BOUNCE", "COMPLAINT"], PageSize: 10 }));
    expect(list.SuppressedDestinationSummaries?.map((s) => s.EmailAddress)).toEqual(["a+b@example.com"]);
    const listCall = fake.calls.find((c) => c.operation === "ListSuppressedDestinations")!;
    expect([listCall.query.getAll("Reason"), listCall.query.get("PageSize")]).toEqual([["BOUNCE", "COMPLAINT"], "10"]);
    await sdk.send(new DeleteSuppressedDestinationCommand({ EmailAddress: "a+b@example.com" }));
    expect(fake.calls.filter((c) => c.path.includes("/addresses/")).map((c) => c.path)).toEqual(["/v2/email/suppression/addresses/a%2Bb%40example.com", "/v2/email/suppression/addresses/a%2Bb%40example.com"]);
    expect(fake.suppressions.size).toBe(0);
  });

  it("GetAccount: the shape the SDK deserialises", async () => {
    const out = await sdk.send(new GetAccountCommand({}));
    expect([out.SendingEnabled, out.ProductionAccessEnabled, out.EnforcementStatus, out.SendQuota]).toEqual([true, true, "HEALTHY", { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 }]);
  });

  it("errors come back as the SDK's own exception classes, which mapSesError types", async () => {
    const rejected = await rejectionOf(sdk.send(new SendEmailCommand({ FromEmailAddress: "x@other.test", Destination: { ToAddresses: ["a@example.com"] }, Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } } } })));
    expect(rejected).toBeInstanceOf(MessageRejected);
    expect((rejected as MessageRejected).message).toContain("Email address is not verified");
    expect(mapSesError(rejected)).toMatchObject({ name: "SesSendRefusedError", reason: "message_rejected", status: 400 });
    const missing = await rejectionOf(sdk.send(new GetSuppressedDestinationCommand({ EmailAddress: "none@example.com" })));
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(mapSesError(missing)).toMatchObject({ name: "NotFoundError", status: 404 });
    fake.failNext("SendEmail", { code: "TooManyRequestsException", status: 429, message: "Maximum sending rate exceeded." });
    const throttled = await rejectionOf(sdk.send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from("From: a@acme.test\r\nTo: b@example.com\r\n\r\nx") } } })));
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(mapSesError(throttled)).toMatchObject({ name: "RateLimitedError", retryable: true, status: 429 });
  });

  it("a bad signature is refused as SES refuses it (403 InvalidSignatureException)", async () => {
    const wrong = new SESv2Client({ region: "eu-west-1", endpoint: server.url, credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: "not-the-secret" }, maxAttempts: 1 });
    const error = await rejectionOf(wrong.send(new GetAccountCommand({})));
    wrong.destroy();
    expect(error).toBeInstanceOf(SESv2ServiceException);
    expect([(error as SESv2ServiceException).name, (error as SESv2ServiceException).$metadata.httpStatusCode]).toEqual(["InvalidSignatureException", 403]);
  });

  it("an operation the fake lacks answers 501 (not an SES 404), which mapSesError does not retry", async () => {
    const error = await rejectionOf(sdk.send(new ListEmailIdentitiesCommand({})));
    expect((error as SESv2ServiceException).$metadata.httpStatusCode).toBe(501);
    expect(fake.calls).toEqual([]);
    expect(mapSesError(error)).toMatchObject({ name: "ServerError", status: 501, retryable: false });
  });
});
