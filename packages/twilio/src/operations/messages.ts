/**
 * Messages (shared/vendors/twilio.md §2): send (POST form-urlencoded), fetch, list pages that
 * follow Twilio's `next_page_uri` verbatim, redact, cancel and delete. Paths live under
 * `/2010-04-01/Accounts/{AccountSid}`.
 */
import { defineOperation, lazySchema, ValidationError, type HttpRequest, type OperationContext } from "@connect/core";
import { z } from "zod";
import type { CountryCode } from "../phone.js";
import {
  GetMessageInput,
  listMessagesInputFor,
  Message,
  MessagePage,
  sendMessageInputFor,
  SentMessage,
  toMessage,
  toMessagePage,
} from "../schemas.js";
import { countSegments } from "../segments.js";

/** The API version segment of every path. @public */
export const API_VERSION = "2010-04-01";

/** `/2010-04-01/Accounts/{AccountSid}` for this client. @internal */
export function accountPath(ctx: OperationContext): string {
  return `/${API_VERSION}/Accounts/${ctx.params.accountSid}`;
}

/**
 * Resolve a `next_page_uri` to a request path. Twilio returns it relative to its API host; an
 * absolute URL on a Twilio host is reduced to its path. Anything outside this account's
 * Messages list is refused, so a tampered page URI cannot redirect an authenticated request.
 * @internal
 */
export function pagePath(pageUri: string, ctx: OperationContext): string {
  let pathAndQuery = pageUri;
  if (/^https?:\/\//i.test(pageUri)) {
    const url = new URL(pageUri);
    if (url.hostname !== "api.twilio.com" && !url.hostname.endsWith(".twilio.com")) {
      throw new ValidationError(`twilio messages.listPage: pageUri ${JSON.stringify(pageUri)} is not on a Twilio API host`, {
        vendor: "twilio",
        operation: ctx.operation,
        issues: [{ path: "pageUri", message: "not a Twilio API URL" }],
      });
    }
    pathAndQuery = `${url.pathname}${url.search}`;
  }
  const expected = `${accountPath(ctx)}/Messages.json`;
  if (pathAndQuery.split("?")[0] !== expected) {
    throw new ValidationError(`twilio messages.listPage: pageUri must be a page of ${expected}`, {
      vendor: "twilio",
      operation: ctx.operation,
      issues: [{ path: "pageUri", message: `must start with ${expected}` }],
    });
  }
  return pathAndQuery;
}

/** The three message operations for one default country. @internal */
export function messageOperations(defaultCountry: CountryCode = "US") {
  /**
   * `messages.send`: POST /Messages.json → 201 Message. Safety `unsafe`: Twilio has no
   * idempotency key, so after a 5xx or a timeout the call ends in `UnknownOutcomeError`
   * rather than risk a second SMS; a 429 (20429) or a refused connection is retried.
   */
  const sendMessage = defineOperation({
    id: "messages.send",
    input: sendMessageInputFor(defaultCountry),
    output: SentMessage,
    safety: "unsafe",
    request: (input, ctx): HttpRequest => ({
      method: "POST",
      path: `${accountPath(ctx)}/Messages.json`,
      body: {
        form: {
          To: input.to,
          From: input.from,
          MessagingServiceSid: input.messagingServiceSid,
          Body: input.body,
          MediaUrl: input.mediaUrl,
          ContentSid: input.contentSid,
          ContentVariables: input.contentVariables === undefined ? undefined : JSON.stringify(input.contentVariables),
          StatusCallback: input.statusCallback,
          ValidityPeriod: input.validityPeriod,
          ScheduleType: input.sendAt === undefined ? undefined : "fixed",
          SendAt: input.sendAt,
          SmartEncoded: input.smartEncoded,
          ShortenUrls: input.shortenUrls,
          SendAsMms: input.sendAsMms,
        },
      },
    }),
    response: (response, input) => {
      const message = toMessage(response.body);
      return message && typeof message === "object" ? { ...message, segmentInfo: countSegments(input.body ?? "") } : message;
    },
  });

  /** `messages.get`: GET /Messages/{Sid}.json. */
  const getMessage = defineOperation({
    id: "messages.get",
    input: GetMessageInput,
    output: Message,
    idempotent: true,
    request: ({ sid }, ctx): HttpRequest => ({ method: "GET", path: `${accountPath(ctx)}/Messages/${sid}.json` }),
    response: (response) => toMessage(response.body),
  });

  /** `messages.listPage`: GET /Messages.json with filters, or a `next_page_uri` verbatim. */
  const listMessagesPage = defineOperation({
    id: "messages.listPage",
    input: listMessagesInputFor(defaultCountry),
    output: MessagePage,
    idempotent: true,
    request: (q, ctx): HttpRequest => {
      if (q.pageUri !== undefined) return { method: "GET", path: pagePath(q.pageUri, ctx) };
      return {
        method: "GET",
        path: `${accountPath(ctx)}/Messages.json`,
        query: { To: q.to, From: q.from, DateSent: q.dateSent, "DateSent<": q.dateSentBefore, "DateSent>": q.dateSentAfter, PageSize: q.pageSize },
      };
    },
    response: (response) => toMessagePage(response.body),
  });

  /**
   * `messages.redact`: POST /Messages/{Sid}.json with `Body=` (an empty string) → 200 Message
   * with an empty body. Redacting twice ends in the same state, so it is retried.
   */
  const redactMessage = defineOperation({
    id: "messages.redact",
    input: GetMessageInput,
    output: Message,
    idempotent: true,
    request: ({ sid }, ctx): HttpRequest => ({ method: "POST", path: `${accountPath(ctx)}/Messages/${sid}.json`, body: { form: { Body: "" } } }),
    response: (response) => toMessage(response.body),
  });

  /**
   * `messages.cancel`: POST /Messages/{Sid}.json with `Status=canceled` → 200 Message `canceled`.
   * Only a message still `scheduled` (through a Messaging Service) can be; otherwise 30409.
   */
  const cancelMessage = defineOperation({
    id: "messages.cancel",
    input: GetMessageInput,
    output: Message,
    idempotent: true,
    request: ({ sid }, ctx): HttpRequest => ({ method: "POST", path: `${accountPath(ctx)}/Messages/${sid}.json`, body: { form: { Status: "canceled" } } }),
    response: (response) => toMessage(response.body),
  });

  /** `messages.delete`: DELETE /Messages/{Sid}.json → 204; the message is gone from fetch and list. */
  const deleteMessage = defineOperation({
    id: "messages.delete",
    input: GetMessageInput,
    output: z.undefined(),
    idempotent: true,
    request: ({ sid }, ctx): HttpRequest => ({ method: "DELETE", path: `${accountPath(ctx)}/Messages/${sid}.json` }),
    response: () => undefined,
  });

  return { sendMessage, getMessage, listMessagesPage, redactMessage, cancelMessage, deleteMessage };
}

// Built on first use, not at import (their schemas are most of what building them costs).
const defaults = lazySchema(() => messageOperations("US"));
/** `messages.send` with numbers without `+` read as US. @public */
export const sendMessage = lazySchema(() => defaults.sendMessage);
/** `messages.get`. @public */
export const getMessage = lazySchema(() => defaults.getMessage);
/** `messages.listPage`. @public */
export const listMessagesPage = lazySchema(() => defaults.listMessagesPage);
/** `messages.redact`: empty the body of a message (`Body=`). @public */
export const redactMessage = lazySchema(() => defaults.redactMessage);
/** `messages.cancel`: cancel a scheduled message (`Status=canceled`). @public */
export const cancelMessage = lazySchema(() => defaults.cancelMessage);
/** `messages.delete`: delete a message (204). @public */
export const deleteMessage = lazySchema(() => defaults.deleteMessage);
