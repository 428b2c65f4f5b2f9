/**
 * Callbacks as the fake sends them (the assumed shape of assumptions.ts): a JSON body POSTed to
 * the signing's `CallbackUrl` as given (so a per-signing token in its query travels along),
 * HMAC-signed with `X-Authentisign-Timestamp` / `X-Authentisign-Signature: v1=<hex>` when the
 * fake has a callback secret — so hosts can test their own receivers.
 */
import { createHmac, randomBytes } from "node:crypto";
import { CALLBACK_HMAC, type CallbackEventType } from "../assumptions.js";
import type { FakeParticipant, FakeSigning } from "./state.js";

/** Build a callback body for a transition. @public */
export function callbackPayload(signing: Pick<FakeSigning, "id" | "status">, type: CallbackEventType | string, options: { participant?: Pick<FakeParticipant, "email" | "status" | "declineReason"> | undefined; at: string; id?: string }): Record<string, unknown> {
  const p = options.participant;
  return {
    id: options.id ?? `evt_${randomBytes(12).toString("hex")}`,
    type,
    createdAt: options.at,
    data: {
      signingId: signing.id,
      status: signing.status,
      ...(p ? { participant: { email: p.email, status: p.status, ...(p.declineReason ? { reason: p.declineReason } : {}) } } : {}),
    },
  };
}

/** Headers of an HMAC-signed callback body (timestamp in unix seconds). @public */
export function signCallback(secret: string, rawBody: Uint8Array | string, timestamp: number | string): Record<string, string> {
  const ts = String(timestamp);
  const body = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : Buffer.from(rawBody);
  const digest = createHmac(CALLBACK_HMAC.algorithm, secret).update(Buffer.concat([Buffer.from(`${ts}.`, "utf8"), body])).digest("hex");
  return { [CALLBACK_HMAC.timestampHeader]: ts, [CALLBACK_HMAC.signatureHeader]: `${CALLBACK_HMAC.prefix}${digest}` };
}

/** One callback the fake posted. @public */
export interface CallbackDelivery {
  url: string;
  type: string;
  signingId: string;
  /** The exact bytes sent. */
  body: Buffer;
  headers: Record<string, string>;
  /** The host's answer, or 0 when the request failed. */
  status: number;
  /** The host's response body (text). */
  response: string;
  error?: string | undefined;
}

/** POST a callback body to a URL with globalThis.fetch and record what happened. @internal */
export async function postCallback(url: string, body: Buffer, headers: Record<string, string>, meta: { type: string; signingId: string }): Promise<CallbackDelivery> {
  const all = { "content-type": "application/json", "user-agent": "Authentisign-Callback (fake)", ...headers };
  try {
    const response = await globalThis.fetch(url, { method: "POST", headers: all, body: new Uint8Array(body) });
    return { url, ...meta, body, headers: all, status: response.status, response: await response.text() };
  } catch (error) {
    return { url, ...meta, body, headers: all, status: 0, response: "", error: (error as Error).message };
  }
}
