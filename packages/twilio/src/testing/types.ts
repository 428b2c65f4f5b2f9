/** The fake's public shapes: messages, failures, transitions, options and its API. */
import type { RequestHandler } from "msw";

/** A status the fake moves messages through. @public */
export type FakeStatus = "scheduled" | "accepted" | "queued" | "sending" | "sent" | "delivered" | "undelivered" | "failed" | "canceled" | "received";

/** A message the fake holds (outbound ones created through the API, inbound ones posted to a host). @public */
export interface FakeMessage {
  sid: string;
  direction: "outbound-api" | "inbound";
  to: string;
  /** Null while a Messaging Service has not picked a sender. */
  from: string | null;
  body: string;
  mediaUrls: string[];
  messagingServiceSid: string | null;
  statusCallback: string | null;
  status: FakeStatus;
  /** Every status the message has had, in order. */
  history: FakeStatus[];
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  price: string | null;
  dateCreated: number;
  dateSent: number | null;
  dateUpdated: number;
  /** Form fields of the create request, as received. */
  params: Record<string, string | string[]>;
}

/** How a configured recipient fails delivery. @public */
export type FakeDeliveryFailure = number | { status: "failed" | "undelivered"; errorCode: number };

/** A scripted REST error for the next matching request(s). @public */
export interface FakeFailure {
  /** Twilio error code, e.g. 21211. */
  code: number;
  /** HTTP status; by default the code's usual one (20003 → 401, 20404 → 404, 20429 → 429, 20500 → 500, else 400). */
  status?: number;
  message?: string;
  headers?: Record<string, string>;
  /** Only requests with this method (upper case). */
  method?: string;
  /** Only requests whose path ends with this (e.g. `/Messages.json`). */
  path?: string;
  /** How many requests it answers. Default 1. */
  times?: number;
}

/** A status change the fake made, and the callback it posted for it. @public */
export interface FakeTransition {
  sid: string;
  from: FakeStatus;
  to: FakeStatus;
  /** The status callback posted (when the message has a StatusCallback). */
  callback?: { url: string; status: number } | undefined;
}

/** Options of {@link createTwilioFake}. @public */
export interface TwilioFakeOptions {
  /** The account. Default `ACfa4e00000000000000000000000000fa`. */
  accountSid?: string;
  /** The account's Auth Token (REST auth and webhook signatures). */
  authToken?: string;
  /** API keys that authenticate for the account. */
  apiKeys?: Array<{ sid: string; secret: string }>;
  /** Numbers the account owns; a `From` outside them is 21606. Default: any sender is accepted. */
  senders?: string[];
  /** Sender a Messaging Service picks. Default `+15005550006`. */
  messagingServiceSender?: string;
  /** Apply the test-credential magic numbers (From +15005550001/07/08, To +15005550001/02/03/04/09). Default true. */
  magicNumbers?: boolean;
  /** Recipients whose messages fail delivery: a 30xxx code, or its status and code. */
  deliveryFailures?: Record<string, FakeDeliveryFailure>;
  /** Clock (epoch ms). */
  now?: () => number;
}

/** The fake. @public */
export interface TwilioFake {
  /** msw handlers; serve them with `serveHandlers` from @connect/core/testing. */
  readonly handlers: RequestHandler[];
  readonly accountSid: string;
  readonly authToken: string;
  readonly apiKeys: ReadonlyArray<{ sid: string; secret: string }>;
  /** Every message, in creation order. */
  readonly messages: readonly FakeMessage[];
  /** Recipients that texted STOP (Twilio answers 21610 to sends to them). */
  readonly optOuts: Set<string>;
  /** A message by SID. */
  message(sid: string): FakeMessage | undefined;
  /** Answer the next matching request(s) with a Twilio error code. */
  failNext(failure: FakeFailure): void;
  /** Answer the next request(s) with 429 / 20429 (too many concurrent requests). */
  rateLimitNext(options?: { times?: number; path?: string }): void;
  /** Make messages to `to` fail delivery (from now on). */
  failDeliveryTo(to: string, failure: FakeDeliveryFailure): void;
  /** Move a message one step along its lifecycle and post its status callback. */
  advance(sid: string): Promise<FakeTransition | undefined>;
  /** Move a message to its final status, posting each callback in order. */
  deliver(sid: string): Promise<FakeTransition[]>;
  /** Deliver every outbound message that is not final yet. */
  deliverAll(): Promise<FakeTransition[]>;
  /** Post a (re-)signed status callback for a message, e.g. an old status late, or a duplicate. */
  postStatusCallback(options: PostStatusOptions): Promise<Response>;
  /** Record an inbound message and post it, signed, to a host URL; returns the host's answer. */
  postInbound(options: PostInboundOptions): Promise<{ response: Response; message: FakeMessage; twiml: string }>;
  /** `X-Twilio-Signature` for a URL and params with the fake's Auth Token. */
  sign(url: string, params?: Record<string, string>): string;
  /** Forget messages, opt-outs, scripted failures and added delivery failures. */
  reset(): void;
}

/** Options of `postStatusCallback`. @public */
export interface PostStatusOptions {
  sid: string;
  /** Default: the message's StatusCallback. */
  url?: string;
  /** Default: the message's current status. */
  status?: string;
  errorCode?: number;
  /** Sign over this URL (the public URL a proxy is reached at) while posting to `url`. */
  signedUrl?: string;
  /** Post JSON with `bodySHA256` instead of a form. */
  json?: boolean;
  /** Extra or overriding parameters (they are signed). */
  params?: Record<string, string>;
  /** Extra headers, e.g. a fixed `i-twilio-idempotency-token`. */
  headers?: Record<string, string>;
}

/** Options of `postInbound`. @public */
export interface PostInboundOptions {
  url: string;
  from: string;
  /** The account's number that received it. Default: the first of `senders`, else `+15005550006`. */
  to?: string;
  body: string;
  media?: Array<{ url: string; contentType: string }>;
  messagingServiceSid?: string;
  signedUrl?: string;
  json?: boolean;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}
