/**
 * The receiver of SES events published through SNS over HTTPS: verify the SNS signature (core's
 * verifier), confirm the subscription of an accepted topic, parse the SES event inside the SNS
 * Message, dedupe by SNS MessageId, dispatch — through core's webhook receiver (and inbox).
 */
import { createWebhookReceiver, type DeadLetterSink, type DedupeStore, type Logger, type WebhookHandler, type WebhookInbox, type WebhookReceiver } from "@connect/core";
import { createSnsVerifier, SNS_CERTIFICATE_HOST, type SnsEnvelope, type SnsVerifier } from "@connect/core/aws";
import { parseSesDelivery, type SesEventType, type SesNotification } from "./events.js";

/** Options of {@link createSesEventReceiver}. @public */
export interface SesEventReceiverOptions {
  /** The SNS topics SES publishes to: messages from any other topic are refused (401) and never confirmed. */
  topicArns: readonly string[];
  /** The SNS verifier (default: core's `createSnsVerifier({ vendor: "ses", topicArns })`; tests pass one trusting the test certificate). */
  verifier?: SnsVerifier | undefined;
  /** Called for every SES event without a type-specific handler. */
  onEvent?: WebhookHandler<SesNotification> | undefined;
  /** A handler per SES event type (`Bounce`, `Complaint`, `Delivery` …). */
  handlers?: Partial<Record<SesEventType, WebhookHandler<SesNotification>>> | undefined;
  /**
   * Confirm an SNS subscription to an accepted topic by fetching its signed `SubscribeURL`
   * (default true). A failed confirmation answers 500, so SNS sends the confirmation again.
   */
  confirmSubscriptions?: boolean | undefined;
  /** Fetches the SubscribeURL (default: `fetch` GET, any non-2xx is a failure). */
  confirmSubscription?: ((subscribeUrl: string, envelope: SnsEnvelope) => Promise<void>) | undefined;
  /** Hosts a SubscribeURL may point at (default: AWS SNS hosts). */
  subscribeUrlHost?: RegExp | undefined;
  /** Where an event goes after repeated handler failures. */
  deadLetters?: DeadLetterSink | undefined;
  /** Public origin when behind a proxy. */
  baseUrl?: string | undefined;
  /** Skips SNS MessageIds already processed (default: in memory; share a Redis store across workers); `false` disables it. */
  dedupe?: DedupeStore | false | undefined;
  /** Deliveries of one event before it is dead-lettered (default: core's). */
  maxAttempts?: number | undefined;
  /** Persist each verified event to this durable inbox before answering 2xx, and run the handlers from its queue. */
  inbox?: WebhookInbox | undefined;
  /** Largest body accepted (bytes; SNS messages are ≤ 256 KiB). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Structured log lines (verification failures, confirmations, handler errors). */
  logger?: Logger | undefined;
}

/** An SNS subscription message the receiver acts on itself. */
interface SubscriptionMessage {
  subscription: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  envelope: SnsEnvelope;
}

type Delivery = SesNotification | SubscriptionMessage;

const isSubscription = (d: Delivery): d is SubscriptionMessage => "subscription" in d;

async function defaultConfirm(url: string): Promise<void> {
  const res = await globalThis.fetch(url, { method: "GET", redirect: "error" });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`SNS answered ${res.status} to the subscription confirmation`);
}

/**
 * Receive SES events delivered by SNS: verify, confirm subscriptions of accepted topics, parse,
 * dedupe by MessageId, dispatch. A message that fails verification reaches no handler (401).
 * @example
 * const receiver = createSesEventReceiver({
 *   topicArns: ["arn:aws:sns:eu-west-1:111122223333:ses-events"],
 *   handlers: { Bounce: (n) => markBounced(n.event.bounce!.bouncedRecipients) },
 * });
 * app.post("/webhooks/ses", (req, res) => receiver.node(req, res));
 * @public
 */
export function createSesEventReceiver(options: SesEventReceiverOptions): WebhookReceiver {
  const verifier = options.verifier ?? createSnsVerifier({ vendor: "ses", topicArns: options.topicArns });
  const allowedHost = options.subscribeUrlHost ?? SNS_CERTIFICATE_HOST;
  const confirm = options.confirmSubscription ?? defaultConfirm;
  const logger = options.logger;

  const confirmHandler: WebhookHandler<Delivery> = async (delivery) => {
    if (!isSubscription(delivery)) return;
    const { envelope } = delivery;
    // The verifier refuses other topics already unless a custom one was given: check again here.
    if (!options.topicArns.includes(envelope.TopicArn)) {
      logger?.warn({ vendor: "ses", topicArn: envelope.TopicArn }, "ses: SNS subscription confirmation for a topic that is not accepted; not confirmed");
      return;
    }
    if (options.confirmSubscriptions === false) {
      logger?.info({ vendor: "ses", topicArn: envelope.TopicArn }, "ses: SNS subscription confirmation received; confirmSubscriptions is off");
      return;
    }
    let url: URL;
    try {
      url = new URL(envelope.SubscribeURL ?? "");
    } catch {
      throw new Error("ses: the SNS SubscriptionConfirmation has no valid SubscribeURL");
    }
    if (url.protocol !== "https:" || !allowedHost.test(url.hostname)) throw new Error(`ses: SubscribeURL host ${url.hostname} is not an SNS host; not confirmed`);
    await confirm(url.toString(), envelope);
    logger?.info({ vendor: "ses", topicArn: envelope.TopicArn }, "ses: SNS subscription confirmed");
  };

  const userHandlers = (options.handlers ?? {}) as Record<string, WebhookHandler<Delivery> | undefined>;
  const handlers: Record<string, WebhookHandler<Delivery>> = {};
  for (const [type, handler] of Object.entries(userHandlers)) if (handler) handlers[type] = handler;
  handlers.SubscriptionConfirmation = confirmHandler;
  handlers.UnsubscribeConfirmation = (delivery) => {
    if (isSubscription(delivery)) logger?.info({ vendor: "ses", topicArn: delivery.envelope.TopicArn }, "ses: SNS subscription ended (UnsubscribeConfirmation)");
  };

  return createWebhookReceiver<Delivery>({
    vendor: "ses",
    verifier,
    parse: (req): Delivery => {
      const parsed = parseSesDelivery(req.rawBody);
      return parsed.kind === "subscription" ? { subscription: parsed.type, envelope: parsed.envelope } : parsed.notification;
    },
    eventId: (d) => (isSubscription(d) ? d.envelope.MessageId : d.snsMessageId),
    eventType: (d) => (isSubscription(d) ? d.subscription : d.eventType),
    handlers,
    ...(options.onEvent ? { onEvent: options.onEvent as WebhookHandler<Delivery> } : {}),
    tenantId: (d) => (isSubscription(d) ? undefined : d.event.mail.tags?.tenant_id?.[0]),
    ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.dedupe !== undefined ? { dedupe: options.dedupe } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.inbox ? { inbox: options.inbox } : {}),
    ...(logger ? { logger } : {}),
    // SNS caps a message at 256 KiB; a much larger body is not SNS.
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
  });
}
