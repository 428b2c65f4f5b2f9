import { ValidationError, type StoredWebhookEvent, type StoredWebhookRunner, type WebhookInbox } from "@connect/core";
import { createSnsVerifier } from "@connect/core/aws";
import { serveHandlers, signSnsEnvelope, SNS_TEST_SIGNING_CERT_PEM, SNS_TEST_SIGNING_CERT_URL, type ServedHandlers } from "@connect/core/testing";
import { http } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSesEventReceiver, parseSesDelivery, type SesEventReceiverOptions, type SesNotification } from "../src/index.js";
import { useSes } from "./helpers.js";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:ses-events";
const trusting = (topicArns?: string[]) =>
  createSnsVerifier({ vendor: "ses", ...(topicArns ? { topicArns } : {}), trustedCertificates: { [SNS_TEST_SIGNING_CERT_URL]: SNS_TEST_SIGNING_CERT_PEM }, fetchCertificate: () => Promise.reject(new Error("no network in tests")) });

/** A receiver served on loopback, so the fake posts to it as SNS would. */
function useReceiver(options: Partial<SesEventReceiverOptions> = {}) {
  const state = { seen: [] as SesNotification[], confirmed: [] as string[] } as { seen: SesNotification[]; confirmed: string[]; host: ServedHandlers; url: string };
  beforeEach(async () => {
    state.seen = [];
    state.confirmed = [];
    const receiver = createSesEventReceiver({
      topicArns: [TOPIC],
      verifier: trusting([TOPIC]),
      onEvent: (n) => void state.seen.push(n),
      confirmSubscription: async (url) => void state.confirmed.push(url),
      ...options,
    });
    state.host = await serveHandlers([http.post("*/ses/events", ({ request }) => receiver.fetch(request))]);
    state.url = `${state.host.url}/ses/events`;
  });
  afterEach(() => state.host.close());
  return state;
}

describe("SES events through SNS", () => {
  const t = useSes({ configurationSets: ["transactional"] });
  const r = useReceiver();

  async function sentId(extra: Record<string, unknown> = {}): Promise<string> {
    return (await t.client.emails.send({ from: "noreply@acme.test", to: ["ana@example.com", "bo@example.com"], subject: "s", text: "t", tags: { tenant_id: "t_123" }, configurationSetName: "transactional", ...extra })).messageId;
  }

  it("a signed event reaches the handler once, parsed, with the SNS MessageId; a redelivery is a duplicate", async () => {
    const id = await sentId();
    const first = await t.fake.publish(r.url, id, { type: "Bounce", recipient: "bo@example.com", snsMessageId: "sns-1" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ received: 1, handled: 1 });
    const again = await t.fake.publish(r.url, id, { type: "Bounce", recipient: "bo@example.com", snsMessageId: "sns-1" });
    expect(await again.json()).toMatchObject({ received: 1, duplicates: 1, handled: 0 });
    expect(r.seen).toHaveLength(1);
    const [n] = r.seen;
    expect(n).toMatchObject({ snsMessageId: "sns-1", topicArn: TOPIC, eventType: "Bounce", source: "event-publishing" });
    expect(n!.event.mail).toMatchObject({ messageId: id, destination: ["ana@example.com", "bo@example.com"], tags: { tenant_id: ["t_123"], "ses:configuration-set": ["transactional"] } });
    expect(n!.event.bounce).toMatchObject({ bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: "bo@example.com", status: "5.1.1" }] });
  });

  it("every event type is parsed (SignatureVersion 1 and 2)", async () => {
    const id = await sentId();
    const types = ["Send", "Delivery", "Bounce", "Complaint", "Reject", "DeliveryDelay", "Open", "Click", "Rendering Failure", "Subscription"];
    for (const [i, type] of types.entries()) {
      const res = await t.fake.publish(r.url, id, { type, signatureVersion: i % 2 ? "1" : "2" });
      expect(res.status).toBe(200);
    }
    expect(r.seen.map((n) => n.eventType)).toEqual(types);
    expect(r.seen[7]!.event.click?.link).toBe("https://acme.test/");
    expect(r.seen[5]!.event.deliveryDelay?.delayedRecipients[0]?.emailAddress).toBe("ana@example.com");
  });

  it("a tampered body, another key's signature, and a foreign topic are refused 401 and reach no handler", async () => {
    const id = await sentId();
    const envelope = t.fake.envelope(id, { type: "Delivery" });
    const post = (body: unknown) => fetch(r.url, { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body: JSON.stringify(body) });
    expect((await post({ ...envelope, Message: envelope.Message.replace("ana@example.com", "eve@example.com") })).status).toBe(401);
    const { generateKeyPairSync } = await import("node:crypto");
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect((await post(signSnsEnvelope({ message: envelope.Message, topicArn: TOPIC, keyPem: otherKey }))).status).toBe(401);
    expect((await t.fake.publish(r.url, id, { type: "Delivery", topicArn: "arn:aws:sns:us-east-1:999999999999:other" })).status).toBe(401);
    expect(r.seen).toEqual([]);
  });

  it("confirms the subscription of an accepted topic by its SubscribeURL", async () => {
    const res = await t.fake.confirmSubscription(r.url, { token: "tok-1" });
    expect(res.status).toBe(200);
    expect(r.confirmed).toHaveLength(1);
    const url = new URL(r.confirmed[0]!);
    expect([url.origin, url.searchParams.get("Action"), url.searchParams.get("TopicArn"), url.searchParams.get("Token")]).toEqual(["https://sns.us-east-1.amazonaws.com", "ConfirmSubscription", TOPIC, "tok-1"]);
    expect(r.seen).toEqual([]);
  });
});

describe("subscription confirmation safety", () => {
  const t = useSes();
  // A verifier that accepts any topic: the receiver must still confirm only its own topics.
  const loose = useReceiver({ verifier: trusting() });
  it("does not confirm a topic outside topicArns, even when the verifier lets it through", async () => {
    const res = await t.fake.confirmSubscription(loose.url, { topicArn: "arn:aws:sns:us-east-1:999999999999:attacker" });
    expect(res.status).toBe(200);
    expect(loose.confirmed).toEqual([]);
  });
});

describe("subscription confirmation failures and opt-out", () => {
  const t = useSes();
  const failing = vi.fn(async () => {
    throw new Error("SNS answered 403");
  });
  const r = useReceiver({ confirmSubscription: failing });
  it("a failed confirmation answers 500 so SNS sends it again", async () => {
    expect((await t.fake.confirmSubscription(r.url)).status).toBe(500);
    expect(failing).toHaveBeenCalledTimes(1);
  });
});

describe("confirmSubscriptions: false", () => {
  const t = useSes();
  const r = useReceiver({ confirmSubscriptions: false });
  it("acknowledges the confirmation without fetching the SubscribeURL", async () => {
    expect((await t.fake.confirmSubscription(r.url)).status).toBe(200);
    expect(r.confirmed).toEqual([]);
  });
});

describe("a SubscribeURL off the SNS hosts", () => {
  const r = useReceiver();
  it("is refused (500) and not fetched, even though it is signed", async () => {
    const envelope = signSnsEnvelope({ type: "SubscriptionConfirmation", topicArn: TOPIC, message: "confirm", subscribeUrl: "https://evil.example/?Action=ConfirmSubscription" });
    const res = await fetch(r.url, { method: "POST", headers: { "x-amz-sns-message-type": "SubscriptionConfirmation" }, body: JSON.stringify(envelope) });
    expect(res.status).toBe(500);
    expect(r.confirmed).toEqual([]);
  });
});

describe("parseSesDelivery", () => {
  const t = useSes();
  it("reads an SQS body, a Lambda record (SigningCertUrl), a raw delivery and a legacy identity notification", async () => {
    const { messageId } = await t.client.emails.send({ from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" });
    const envelope = t.fake.envelope(messageId, { type: "Complaint", snsMessageId: "sns-9" });
    const sqs = parseSesDelivery(JSON.stringify(envelope));
    expect(sqs.kind === "event" && [sqs.notification.snsMessageId, sqs.notification.eventType]).toEqual(["sns-9", "Complaint"]);
    const { SigningCertURL, ...rest } = envelope;
    const lambda = parseSesDelivery({ ...rest, SigningCertUrl: SigningCertURL });
    expect(lambda.kind === "event" && lambda.envelope?.SigningCertURL).toBe(SNS_TEST_SIGNING_CERT_URL);
    const raw = parseSesDelivery(JSON.stringify(t.fake.event(messageId, { type: "Delivery" })));
    expect(raw.kind === "event" && [raw.notification.snsMessageId, raw.notification.eventType, raw.envelope]).toEqual([undefined, "Delivery", undefined]);
    const legacy = parseSesDelivery(t.fake.event(messageId, { type: "Bounce", identityNotification: true }));
    expect(legacy.kind === "event" && [legacy.notification.eventType, legacy.notification.source]).toEqual(["Bounce", "identity-notification"]);
  });
  it("refuses what is not an SES event with a ValidationError", () => {
    for (const bad of ["nope", "[]", JSON.stringify({ hello: 1 }), JSON.stringify({ Type: "Notification", Message: "{\"eventType\":\"Send\"}" }), JSON.stringify({ eventType: "Send", mail: { messageId: "" } })]) {
      expect(() => parseSesDelivery(bad)).toThrow(ValidationError);
    }
  });
});

describe("with core's webhook inbox", () => {
  const t = useSes();
  it("a verified event is stored before the 2xx and handled from the inbox; a subscription confirmation too", async () => {
    const stored: StoredWebhookEvent[] = [];
    let run: StoredWebhookRunner | undefined;
    const inbox: WebhookInbox = {
      attach: (_vendor, runner) => void (run = runner),
      accept: async (events) => void stored.push(...events),
    };
    const seen: SesNotification[] = [];
    const confirmed: string[] = [];
    const receiver = createSesEventReceiver({ topicArns: [TOPIC], verifier: trusting([TOPIC]), inbox, onEvent: (n) => void seen.push(n), confirmSubscription: async (url) => void confirmed.push(url) });
    const host = await serveHandlers([http.post("*/ses", ({ request }) => receiver.fetch(request))]);
    try {
      const { messageId } = await t.client.emails.send({ from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" });
      const res = await t.fake.publish(`${host.url}/ses`, messageId, { type: "Delivery", snsMessageId: "sns-inbox-1" });
      expect(res.status).toBe(200);
      expect((await t.fake.confirmSubscription(`${host.url}/ses`)).status).toBe(200);
      expect(stored.map((e) => [e.vendor, e.eventType, e.key.startsWith("ses:")])).toEqual([
        ["ses", "Delivery", true],
        ["ses", "SubscriptionConfirmation", true],
      ]);
      expect([seen, confirmed]).toEqual([[], []]);
      for (const e of stored) await run!(e, { attempt: 1, correlationId: e.correlationId });
      expect(seen.map((n) => [n.eventType, n.snsMessageId, n.event.mail.messageId])).toEqual([["Delivery", "sns-inbox-1", messageId]]);
      expect(confirmed).toHaveLength(1);
    } finally {
      await host.close();
    }
  });
});
