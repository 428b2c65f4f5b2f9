import { AuthError, createMemoryIdempotencyStore, IntegrationError, NotFoundError, RateLimitedError, UnknownOutcomeError, ValidationError } from "@connect/core";
import { describe, expect, it } from "vitest";
import { createSesClient, SesSendRefusedError } from "../src/index.js";
import { callsOf, CREDENTIALS, FAST_POLICY, rejection, useSes } from "./helpers.js";

const message = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };

describe("SES errors → core's classes", () => {
  const t = useSes({ configurationSets: ["transactional"] });
  const sends = () => callsOf(t.fake, "SendEmail").length;

  it("an unverified sender is MessageRejected → SesSendRefusedError (message_rejected), not retried", async () => {
    const error = await rejection(t.client.emails.send({ ...message, from: "someone@other.test" }));
    expect(error).toBeInstanceOf(SesSendRefusedError);
    expect(error).toMatchObject({ reason: "message_rejected", status: 400, vendorCode: "MessageRejected", retryable: false, vendor: "ses", operation: "emails.send", attempts: 1 });
    expect((error as IntegrationError).vendorMessage).toContain("Email address is not verified");
    expect(sends()).toBe(1);
  });

  it("the sandbox refuses an unverified recipient but takes the mailbox simulator", async () => {
    t.fake.account.productionAccessEnabled = false;
    expect(await rejection(t.client.emails.send(message))).toMatchObject({ reason: "message_rejected" });
    await expect(t.client.emails.send({ ...message, to: "success@simulator.amazonses.com" })).resolves.toMatchObject({ kind: "simple" });
  });

  it("MailFromDomainNotVerified, AccountSuspended and SendingPaused carry their reason", async () => {
    t.fake.failNext("SendEmail", { code: "MailFromDomainNotVerifiedException", message: "MAIL FROM domain not verified" });
    expect(await rejection(t.client.emails.send(message))).toMatchObject({ name: "SesSendRefusedError", reason: "mail_from_not_verified", vendorCode: "MailFromDomainNotVerifiedException" });
    t.fake.setSendingEnabled(false);
    expect(await rejection(t.client.emails.send(message))).toMatchObject({ reason: "sending_paused", vendorCode: "SendingPausedException", retryable: false });
    t.fake.suspend();
    expect(await rejection(t.client.emails.send(message))).toMatchObject({ reason: "account_suspended", vendorCode: "AccountSuspendedException" });
    expect(sends()).toBe(3);
  });

  it("an unknown template or configuration set is NotFoundError (404)", async () => {
    const template = await rejection(t.client.emails.send({ from: message.from, to: message.to, template: { name: "missing" } }));
    expect(template).toBeInstanceOf(NotFoundError);
    expect(template).toMatchObject({ status: 404, vendorCode: "NotFoundException", vendorMessage: "Template missing does not exist." });
    expect(await rejection(t.client.emails.send({ ...message, configurationSetName: "nope" }))).toBeInstanceOf(NotFoundError);
  });

  it("TooManyRequests (429) is retried with backoff: 429, 429, 200 sends once with attempts 3", async () => {
    for (let i = 0; i < 2; i++) t.fake.failNext("SendEmail", { code: "TooManyRequestsException", status: 429, message: "Maximum sending rate exceeded." });
    await t.client.emails.send(message);
    expect(sends()).toBe(3);
    expect(t.fake.sent).toHaveLength(1);
  });

  it("a persistent throttle ends in RateLimitedError with the attempt count", async () => {
    for (let i = 0; i < 3; i++) t.fake.failNext("SendEmail", { code: "TooManyRequestsException", status: 429, message: "Maximum sending rate exceeded." });
    const error = await rejection(t.client.emails.send(message));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ attempts: 3, status: 429, vendorCode: "TooManyRequestsException", vendorMessage: "Maximum sending rate exceeded." });
  });

  it("LimitExceeded is a retried throttle, but the daily quota is not retried", async () => {
    t.fake.failNext("SendEmail", { code: "LimitExceededException", message: "Too many instances" });
    await t.client.emails.send(message);
    expect(sends()).toBe(2);
    t.fake.account.sentLast24Hours = t.fake.account.max24HourSend;
    const error = await rejection(t.client.emails.send(message));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryable: false, vendorCode: "LimitExceededException", vendorMessage: "Daily message quota exceeded.", attempts: 1 });
    expect(sends()).toBe(3);
  });

  it("BadRequest is a ValidationError carrying SES's message", async () => {
    t.fake.failNext("SendEmail", { code: "BadRequestException", message: "Illegal header" });
    const error = await rejection(t.client.emails.send(message));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ vendorCode: "BadRequestException", vendorMessage: "Illegal header", status: 400 });
    expect((error as ValidationError).issues).toEqual([{ path: "(request)", message: "Illegal header", code: "BadRequestException" }]);
  });

  it("a 500 on SendEmail is UnknownOutcomeError and is not retried (SES has no idempotency key)", async () => {
    t.fake.failNext("SendEmail", { code: "InternalServiceErrorException", status: 500 });
    const error = await rejection(t.client.emails.send(message));
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error).toMatchObject({ status: 500, vendorCode: "InternalServiceErrorException", attempts: 1, vendor: "ses", operation: "emails.send" });
    expect(sends()).toBe(1);
  });

  it("a 500 on a read is retried", async () => {
    t.fake.failNext("GetAccount", { code: "InternalServiceErrorException", status: 500 });
    await t.client.account.get();
    expect(callsOf(t.fake, "GetAccount")).toHaveLength(2);
  });

  it("persistent 500s on a read end in ServerError", async () => {
    for (let i = 0; i < 3; i++) t.fake.failNext("GetAccount", { code: "InternalServiceErrorException", status: 500 });
    expect(await rejection(t.client.account.get())).toMatchObject({ name: "ServerError", attempts: 3, status: 500 });
  });
});

describe("ambiguous failures", () => {
  const t = useSes({}, { unsafeRetryAmbiguousFailures: true });
  it("retries a send after a 500 when unsafe retries are opted in", async () => {
    t.fake.failNext("SendEmail", { code: "InternalServiceErrorException", status: 500 });
    await t.client.emails.send(message);
    expect(callsOf(t.fake, "SendEmail")).toHaveLength(2);
  });
});

describe("idempotencyStore", () => {
  const store = createMemoryIdempotencyStore();
  const t = useSes({}, { idempotencyStore: store });

  it("the same idempotency key sends once and returns the first MessageId", async () => {
    const first = await t.client.emails.send(message, { idempotencyKey: "welcome-ana" });
    const second = await t.client.emails.send(message, { idempotencyKey: "welcome-ana" });
    expect(second).toEqual(first);
    expect(t.fake.sent).toHaveLength(1);
  });

  it("after an unknown outcome, a repeat with the same key is refused without a request", async () => {
    t.fake.failNext("SendEmail", { code: "InternalServiceErrorException", status: 500 });
    expect(await rejection(t.client.emails.send(message, { idempotencyKey: "draw-3" }))).toBeInstanceOf(UnknownOutcomeError);
    const repeat = await rejection(t.client.emails.send(message, { idempotencyKey: "draw-3" }));
    expect(repeat).toBeInstanceOf(UnknownOutcomeError);
    expect(repeat).toMatchObject({ attempts: 0 });
    expect(callsOf(t.fake, "SendEmail")).toHaveLength(1);
  });
});

describe("authentication and the fake's gaps", () => {
  const t = useSes();
  it("a wrong secret key is refused by the fake's SigV4 check → AuthError", async () => {
    const client = createSesClient({ region: "eu-west-1", endpoint: t.server.url, credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: "wrong-secret-key-000" }, policy: FAST_POLICY });
    try {
      const error = await rejection(client.emails.send(message));
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ status: 403, vendorCode: "InvalidSignatureException" });
      const stranger = createSesClient({ region: "eu-west-1", endpoint: t.server.url, credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x".repeat(20) }, policy: FAST_POLICY });
      expect(await rejection(stranger.account.get())).toMatchObject({ name: "AuthError", vendorCode: "UnrecognizedClientException" });
      await stranger.close();
      expect(t.fake.sent).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("a region other than the fake's is refused (the credential scope names it)", async () => {
    const client = createSesClient({ region: "us-west-2", endpoint: t.server.url, credentials: CREDENTIALS, policy: FAST_POLICY });
    try {
      expect(await rejection(client.account.get())).toMatchObject({ name: "AuthError", vendorCode: "InvalidSignatureException" });
    } finally {
      await client.close();
    }
  });

  it("an endpoint the fake lacks answers core's 501 (not an SES 404)", async () => {
    const res = await fetch(`${t.server.url}/v2/email/identities`);
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ error: "not_implemented_by_fake", fake: "@connect/ses/testing", method: "GET", path: "/v2/email/identities" });
  });
});
