/**
 * SES event payloads as configuration-set event publishing writes them (shared/vendors/ses.md §7),
 * built from a message the fake accepted, for SNS delivery to a host's receiver.
 */
import { randomUUID } from "node:crypto";

/** A sent message as the event builder needs it. @internal */
export interface EventSource {
  messageId: string;
  from: string;
  recipients: string[];
  subject: string | undefined;
  tags: Record<string, string>;
  configurationSetName: string | undefined;
  sentAt: Date;
  suppressed: string[];
  renderingFailure: string | undefined;
  templateName: string | undefined;
}

/** What to publish about a message. @public */
export interface FakeEventSpec {
  /** SES payload type: `Send`, `Delivery`, `Bounce`, `Complaint`, `Reject`, `DeliveryDelay`, `Open`, `Click`, `Rendering Failure`, `Subscription`. */
  type: string;
  /** The recipient the event is about (default: the first). */
  recipient?: string | undefined;
  /** Bounce: `Permanent` (default), `Transient` or `Undetermined`; sub-type default `General` (`OnAccountSuppressionList` for a suppressed address). */
  bounceType?: "Permanent" | "Transient" | "Undetermined" | undefined;
  bounceSubType?: string | undefined;
  /** Click: the link (default https://acme.test/). */
  link?: string | undefined;
  /** Subscription: opted out of everything (default true). */
  unsubscribeAll?: boolean | undefined;
  /** Event time (default now). */
  at?: Date | undefined;
  /** Use the legacy identity-notification shape (`notificationType`, Bounce/Complaint/Delivery only). */
  identityNotification?: boolean | undefined;
}

/** The SES event JSON of one event about a sent message. @internal */
export function buildSesEvent(source: EventSource, spec: FakeEventSpec): Record<string, unknown> {
  const at = (spec.at ?? new Date()).toISOString();
  const recipient = spec.recipient ?? source.recipients[0] ?? "";
  const tags: Record<string, string[]> = {
    ...Object.fromEntries(Object.entries(source.tags).map(([k, v]) => [k, [v]])),
    "ses:operation": ["SendEmail"],
    "ses:source-ip": ["192.0.2.10"],
    "ses:from-domain": [source.from.split("@").pop() ?? ""],
    "ses:caller-identity": ["connect-fake"],
    ...(source.configurationSetName ? { "ses:configuration-set": [source.configurationSetName] } : {}),
  };
  const mail = {
    timestamp: source.sentAt.toISOString(),
    source: source.from,
    sourceArn: `arn:aws:ses:us-east-1:111122223333:identity/${source.from.split("@").pop()}`,
    sendingAccountId: "111122223333",
    messageId: source.messageId,
    destination: source.recipients,
    headersTruncated: false,
    headers: [{ name: "Subject", value: source.subject ?? "" }],
    commonHeaders: { from: [source.from], to: source.recipients, messageId: source.messageId, subject: source.subject ?? "" },
    ...(spec.identityNotification ? {} : { tags }),
  };
  const key = spec.identityNotification ? "notificationType" : "eventType";
  const feedbackId = `0100${randomUUID().replaceAll("-", "")}-000000`;
  switch (spec.type) {
    case "Send":
      return { [key]: "Send", mail, send: {} };
    case "Delivery":
      return { [key]: "Delivery", mail, delivery: { timestamp: at, processingTimeMillis: 546, recipients: [recipient], smtpResponse: "250 2.6.0 Message received", reportingMTA: "a8-70.smtp-out.amazonses.com" } };
    case "Bounce": {
      const suppressed = source.suppressed.includes(recipient);
      const bounceType = spec.bounceType ?? "Permanent";
      const bounceSubType = spec.bounceSubType ?? (suppressed ? "OnAccountSuppressionList" : bounceType === "Transient" ? "MailboxFull" : "General");
      const status = bounceType === "Permanent" ? "5.1.1" : "4.2.2";
      return {
        [key]: "Bounce",
        mail,
        bounce: {
          bounceType,
          bounceSubType,
          bouncedRecipients: [{ emailAddress: recipient, action: "failed", status, diagnosticCode: suppressed ? "Amazon SES did not send the message to this address because it is on the suppression list for your account." : `smtp; ${status === "5.1.1" ? "550 5.1.1 user unknown" : "452 4.2.2 mailbox full"}` }],
          timestamp: at,
          feedbackId,
          reportingMTA: "dsn; a8-70.smtp-out.amazonses.com",
        },
      };
    }
    case "Complaint":
      return { [key]: "Complaint", mail, complaint: { complainedRecipients: [{ emailAddress: recipient }], timestamp: at, feedbackId, complaintSubType: null, complaintFeedbackType: "abuse", arrivalDate: at, userAgent: "Mail Provider FBL" } };
    case "Reject":
      return { [key]: "Reject", mail, reject: { reason: "Bad content" } };
    case "Rendering Failure":
      return { [key]: "Rendering Failure", mail, failure: { templateName: source.templateName ?? "", errorMessage: source.renderingFailure ?? "Attribute 'name' is not present in the rendering data." } };
    case "DeliveryDelay":
      return {
        [key]: "DeliveryDelay",
        mail,
        deliveryDelay: { timestamp: at, delayType: "TransientCommunicationFailure", expirationTime: new Date(Date.parse(at) + 14 * 3_600_000).toISOString(), reportingMTA: "a8-70.smtp-out.amazonses.com", delayedRecipients: [{ emailAddress: recipient, status: "4.4.7", diagnosticCode: "smtp; 421 4.4.7 connection timed out" }] },
      };
    case "Open":
      return { [key]: "Open", mail, open: { ipAddress: "192.0.2.1", timestamp: at, userAgent: "Mozilla/5.0" } };
    case "Click":
      return { [key]: "Click", mail, click: { ipAddress: "192.0.2.1", timestamp: at, userAgent: "Mozilla/5.0", link: spec.link ?? "https://acme.test/", linkTags: {} } };
    case "Subscription": {
      const all = spec.unsubscribeAll ?? true;
      return {
        [key]: "Subscription",
        mail,
        subscription: {
          contactList: "borrowers",
          timestamp: at,
          source: "UnsubscribeHeader",
          newTopicPreferences: { unsubscribeAll: all, topicSubscriptionStatus: [{ topicName: "draws", subscriptionStatus: all ? "OptOut" : "OptIn" }] },
          oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: "draws", subscriptionStatus: "OptIn" }] },
        },
      };
    }
    default:
      throw new Error(`fake ses: no event type ${spec.type}`);
  }
}
