/**
 * Standard Webhooks (https://github.com/standard-webhooks/standard-webhooks, spec 1.0.0):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature` headers over the signed content
 * `{id}.{timestamp}.{body}`; `v1` HMAC-SHA256 with `whsec_` base64 secrets and `v1a` Ed25519
 * with `whpk_` / `whsk_` base64 keys; several space-separated signatures of which any may
 * match (rotation); a tolerance on the timestamp in both directions. A verifier for hosts and
 * a signer for fakes and tests, on node:crypto like the other verifiers.
 */
import { createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { ValidationError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { assertFresh, badSignatureHints, headerOf, rawBodyOf, resolveSecrets, verificationError } from "./common.js";
import { timingSafeEqualBuffers } from "./compare.js";
import type { PublicKeySource } from "./ecdsa.js";
import type { SecretSource, WebhookVerifier } from "./types.js";

const ID_HEADER = "webhook-id";
const TIMESTAMP_HEADER = "webhook-timestamp";
const SIGNATURE_HEADER = "webhook-signature";
const SECRET_PREFIX = "whsec_";
const PUBLIC_KEY_PREFIX = "whpk_";
const SIGNING_KEY_PREFIX = "whsk_";
const HMAC_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const ED25519_KEY_BYTES = 32;
// DER framing of a raw Ed25519 key (RFC 8410): SubjectPublicKeyInfo and PKCS#8 around the 32 bytes.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** The keys of a verifier: an HMAC secret, an Ed25519 public key, or both (a sender moving between them). @public */
export type StandardWebhooksKeys =
  | { secret: SecretSource; publicKey?: PublicKeySource | undefined }
  | { secret?: SecretSource | undefined; publicKey: PublicKeySource };

/**
 * Options of {@link standardWebhooksVerifier}. `secret`: `whsec_<base64>` (a secret without the
 * prefix is read as base64 too, as the reference libraries do; the key is the decoded bytes).
 * `publicKey`: `whpk_<base64 of the 32-byte Ed25519 key>`. Each may be several (rotation) or a function.
 * @public
 */
export type StandardWebhooksVerifierOptions = StandardWebhooksKeys & {
  /** Vendor id, for messages. */
  vendor?: string | undefined;
  /** Largest accepted distance between `webhook-timestamp` and now, past or future, in seconds (default 300). */
  toleranceSeconds?: number | undefined;
  /** Clock in epoch ms, for tests (default `Date.now`). */
  now?: (() => number) | undefined;
};

/** Input of {@link signStandardWebhook}. @public */
export interface SignStandardWebhookInput {
  /** The message id (`webhook-id`); the same on every retry of one event. No `.` (the spec's rule), no spaces. */
  id: string;
  /** Time of this attempt: epoch seconds or a Date (default now). */
  timestamp?: number | Date | undefined;
  /** The body exactly as it will be sent. */
  body: Buffer | Uint8Array | string;
  /** `whsec_<base64>` secrets; each adds a `v1,` HMAC-SHA256 signature. */
  secret?: string | readonly string[] | undefined;
  /** `whsk_<base64>` Ed25519 signing keys (32-byte seed, or 64-byte seed + public key); each adds a `v1a,` signature. */
  signingKey?: string | readonly string[] | undefined;
}

/** The headers a Standard Webhooks sender sets. @public */
export interface StandardWebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Standard padded base64, canonical (re-encodes to the same text); undefined otherwise. */
function strictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : undefined;
}

type KeyKind = "secret" | "publicKey" | "signingKey";
const PREFIX: Record<KeyKind, string> = { secret: SECRET_PREFIX, publicKey: PUBLIC_KEY_PREFIX, signingKey: SIGNING_KEY_PREFIX };
const KIND_NAME: Record<KeyKind, string> = { secret: "an HMAC secret", publicKey: "an Ed25519 public key", signingKey: "an Ed25519 signing key" };

/** Strip the expected prefix and decode; refuse a key of another kind with a hint. Never quotes the key. */
function decodeKey(text: string, kind: KeyKind, label: string, fail: (message: string) => Error): Buffer {
  const trimmed = text.trim();
  for (const other of Object.keys(PREFIX) as KeyKind[]) {
    if (other !== kind && trimmed.startsWith(PREFIX[other])) {
      const hint = other === "signingKey" && kind === "publicKey" ? "; the signing key stays with the sender: configure its whpk_ public key (standardWebhookPublicKey derives it)" : "";
      throw fail(`${label} starts with "${PREFIX[other]}", which marks ${KIND_NAME[other]}, not ${KIND_NAME[kind]}${hint}`);
    }
  }
  const body = trimmed.startsWith(PREFIX[kind]) ? trimmed.slice(PREFIX[kind].length) : trimmed;
  const bytes = strictBase64(body);
  if (!bytes) throw fail(`${label} is not ${PREFIX[kind]} followed by standard padded base64 (Standard Webhooks keys are base64; the key is the decoded bytes)`);
  if (kind === "publicKey" && bytes.length !== ED25519_KEY_BYTES) throw fail(`${label} decodes to ${bytes.length} bytes; an Ed25519 public key is ${ED25519_KEY_BYTES}`);
  if (kind === "signingKey" && bytes.length !== ED25519_KEY_BYTES && bytes.length !== 2 * ED25519_KEY_BYTES) {
    throw fail(`${label} decodes to ${bytes.length} bytes; an Ed25519 signing key is a ${ED25519_KEY_BYTES}-byte seed (or 64 bytes: seed then public key)`);
  }
  return bytes;
}

function ed25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** Parse a `whsk_` key into a private KeyObject; a 64-byte key must end in the seed's own public key. */
function ed25519SigningKey(bytes: Buffer, fail: (message: string) => Error, label: string): KeyObject {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, bytes.subarray(0, ED25519_KEY_BYTES)]), format: "der", type: "pkcs8" });
  if (bytes.length === 2 * ED25519_KEY_BYTES && !rawPublicKey(key).equals(bytes.subarray(ED25519_KEY_BYTES))) {
    throw fail(`${label}: its last 32 bytes are not the public key of its seed`);
  }
  return key;
}

function rawPublicKey(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length);
}

function listOf(value: string | readonly string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : [...value];
}

function signedContent(id: string, timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, "utf8"), body]);
}

interface ParsedSignatures {
  v1: Buffer[];
  v1a: Buffer[];
  versions: string[];
}

/**
 * Entries `<version>,<base64>` separated by spaces (spec: "a space delimited list"). Unknown
 * versions are ignored; a trailing comma is dropped, for a proxy that joined repeated headers with ", ".
 */
function parseSignatures(header: string): ParsedSignatures {
  const parsed: ParsedSignatures = { v1: [], v1a: [], versions: [] };
  for (const entry of header.split(/\s+/)) {
    const comma = entry.indexOf(",");
    if (comma <= 0) continue;
    const version = entry.slice(0, comma);
    const value = entry.slice(comma + 1).replace(/,$/, "");
    parsed.versions.push(version);
    const bytes = version === "v1" || version === "v1a" ? strictBase64(value) : undefined;
    if (version === "v1" && bytes?.length === HMAC_BYTES) parsed.v1.push(bytes);
    if (version === "v1a" && bytes?.length === ED25519_SIGNATURE_BYTES) parsed.v1a.push(bytes);
  }
  return parsed;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Verify a Standard Webhooks request: any `v1` (HMAC-SHA256) or `v1a` (Ed25519) signature in
 * `webhook-signature` over `{webhook-id}.{webhook-timestamp}.{raw body}` must match a configured
 * key, and the timestamp must lie within `toleranceSeconds` of now, either way. Dedupe on
 * `webhook-id` (the spec's idempotency key) in the receiver's `eventId`.
 * @example
 * const receiver = createWebhookReceiver({
 *   vendor: "acme", verifier: standardWebhooksVerifier({ vendor: "acme", secret: process.env.ACME_WEBHOOK_SECRET! }),
 *   parse: (req) => ({ id: req.headers["webhook-id"], ...JSON.parse(req.rawBody.toString("utf8")) }),
 *   eventId: (e) => e.id, eventType: (e) => e.type, handlers,
 * });
 * @public
 */
export function standardWebhooksVerifier(options: StandardWebhooksVerifierOptions): WebhookVerifier {
  const { vendor } = options;
  if (options.secret === undefined && options.publicKey === undefined) throw new TypeError("standardWebhooksVerifier: set `secret` (whsec_) or `publicKey` (whpk_)");
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new TypeError("standardWebhooksVerifier: `toleranceSeconds` must be a non-negative number");
  const now = options.now ?? Date.now;
  const invalidKey = (message: string): Error => verificationError("invalid_key", message, vendor);
  const hmacKeys = new Map<string, Buffer>();
  const publicKeys = new Map<string, KeyObject>();
  const hmacKey = (text: string, index: number): Buffer => {
    let key = hmacKeys.get(text);
    if (!key) {
      key = decodeKey(text, "secret", `secret #${index + 1}`, invalidKey);
      if (hmacKeys.size > 32) hmacKeys.clear();
      hmacKeys.set(text, key);
    }
    return key;
  };
  const publicKeyOf = (text: string, index: number): KeyObject => {
    let key = publicKeys.get(text);
    if (!key) {
      key = ed25519PublicKey(decodeKey(text, "publicKey", `publicKey #${index + 1}`, invalidKey));
      if (publicKeys.size > 32) publicKeys.clear();
      publicKeys.set(text, key);
    }
    return key;
  };
  const listPublicKeys = async (): Promise<string[]> => {
    const source = typeof options.publicKey === "function" ? await options.publicKey() : options.publicKey;
    return listOf(source as string | readonly string[] | undefined).filter((key) => typeof key === "string" && key.trim() !== "");
  };
  // Static keys are decoded now, so a wrong key fails at start-up rather than on the first event.
  if (options.secret !== undefined && typeof options.secret !== "function") {
    listOf(options.secret).forEach((text, index) => {
      registerSecret(text);
      if (text !== "") hmacKey(text, index);
    });
  }
  if (options.publicKey !== undefined && typeof options.publicKey !== "function") listOf(options.publicKey).forEach((text, index) => text.trim() !== "" && publicKeyOf(text, index));

  return {
    async verify(req) {
      const body = rawBodyOf(req, vendor);
      const id = headerOf(req, ID_HEADER)?.trim();
      const timestamp = headerOf(req, TIMESTAMP_HEADER)?.trim();
      const header = headerOf(req, SIGNATURE_HEADER)?.trim();
      const missing = [!id && ID_HEADER, !timestamp && TIMESTAMP_HEADER, !header && SIGNATURE_HEADER].filter((name): name is string => typeof name === "string");
      if (missing.length > 0 || !id || !timestamp || !header) {
        throw verificationError("missing_header", `no ${missing.join(", ")} header; does the sender follow Standard Webhooks, and does a proxy strip the headers?`, vendor);
      }
      // The spec: "integer unix timestamp (seconds since epoch)"; a fraction or milliseconds would sign other text.
      if (!/^\d{1,12}$/.test(timestamp)) {
        throw verificationError("malformed_timestamp", `webhook-timestamp ${JSON.stringify(timestamp.slice(0, 40))} is not an integer number of seconds since the epoch`, vendor);
      }
      const signatures = parseSignatures(header);
      if (signatures.v1.length + signatures.v1a.length === 0) {
        const known = signatures.versions.filter((version) => version === "v1" || version === "v1a");
        throw verificationError(
          "malformed_signature",
          known.length > 0
            ? "webhook-signature has v1/v1a entries, but none is standard base64 of a 32-byte HMAC-SHA256 or 64-byte Ed25519 signature"
            : `webhook-signature has no v1 (HMAC) or v1a (Ed25519) signature${signatures.versions.length > 0 ? ` (versions present: ${[...new Set(signatures.versions)].join(", ")})` : "; entries are \"<version>,<base64>\", space separated"}`,
          vendor,
        );
      }
      const secrets = options.secret === undefined ? [] : await resolveSecrets(options.secret);
      const keyTexts = await listPublicKeys();
      if (secrets.length === 0 && keyTexts.length === 0) throw verificationError("no_secret", "no signing secret or public key is configured", vendor);
      const hmacs = secrets.map(hmacKey);
      const keys = keyTexts.map(publicKeyOf);
      const content = signedContent(id, timestamp, body);

      let ok = false;
      for (const key of hmacs) {
        const digest = createHmac("sha256", key).update(content).digest();
        // Constant-time against every v1 signature; stop only after a secret matched (which one did is no secret).
        for (const signature of signatures.v1) ok = timingSafeEqualBuffers(digest, signature) || ok;
        if (ok) break;
      }
      for (let i = 0; !ok && i < keys.length; i++) {
        for (const signature of signatures.v1a) ok = cryptoVerify(null, content, keys[i]!, signature) || ok;
      }
      if (!ok) {
        const hints: string[] = [];
        if (signatures.v1.length > 0 && hmacs.length === 0) hints.push("the sender signs with v1 (HMAC): configure its whsec_ `secret`");
        if (signatures.v1a.length > 0 && keys.length === 0) hints.push("the sender signs with v1a (Ed25519): configure its whpk_ `publicKey`");
        const tried = [hmacs.length > 0 && `${plural(signatures.v1.length, "v1 signature")} against ${plural(hmacs.length, "secret")}`, keys.length > 0 && `${plural(signatures.v1a.length, "v1a signature")} against ${plural(keys.length, "public key")}`]
          .filter(Boolean)
          .join(", ");
        throw verificationError(
          "bad_signature",
          `no signature in webhook-signature matches (${tried}; the signed content is webhook-id, webhook-timestamp and the raw body)${hints.length > 0 ? `; ${hints.join("; ")}` : ""}${badSignatureHints(body, [], () => false)}`,
          vendor,
        );
      }
      // Checked after the signature, as core's other verifiers do: only an authentic request learns it is stale.
      // Seconds against the floored clock, as the reference library compares.
      assertFresh(Number(timestamp) * 1000, { toleranceSec: toleranceSeconds, now: () => Math.floor(now() / 1000) * 1000 }, vendor);
    },
  };
}

/** The issue of a bad signer input, as a `ValidationError` naming the field (never its secret value). */
function invalidInput(path: string, message: string): ValidationError {
  const text = message.startsWith(path) ? message : `${path} ${message}`;
  return new ValidationError(`Standard Webhooks signer: ${text}`, { issues: [{ path, message: text }] });
}

/**
 * Sign a webhook as a Standard Webhooks sender does: one `v1,` signature per secret and one
 * `v1a,` per signing key, space separated, over `{id}.{timestamp}.{body}`. For fakes and tests.
 * @example
 * const headers = signStandardWebhook({ id: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", body, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" });
 * await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
 * @public
 */
export function signStandardWebhook(input: SignStandardWebhookInput): StandardWebhookHeaders {
  const { id } = input;
  if (typeof id !== "string" || !/^[\x21-\x7e]+$/.test(id) || id.includes(".")) {
    // Spec: the id must not contain "." (it would let bytes move between the id and the timestamp).
    throw invalidInput("id", "must be non-empty printable ASCII without spaces or \".\"");
  }
  const raw = input.timestamp ?? Date.now() / 1000;
  const seconds = raw instanceof Date ? Math.floor(raw.getTime() / 1000) : raw;
  if (typeof seconds !== "number" || !Number.isSafeInteger(seconds) || seconds < 0) {
    throw invalidInput("timestamp", typeof raw === "number" && Number.isFinite(raw) && raw >= 0 && !Number.isInteger(raw) ? "must be whole seconds since the epoch" : "must be a non-negative integer of seconds since the epoch, or a valid Date");
  }
  if (seconds > 1e11) throw invalidInput("timestamp", "must be seconds since the epoch; this looks like milliseconds");
  const body = typeof input.body === "string" ? Buffer.from(input.body, "utf8") : input.body instanceof Uint8Array ? Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength) : undefined;
  if (!body) throw invalidInput("body", "must be a Buffer, Uint8Array or string (the bytes as sent)");
  const secrets = listOf(input.secret);
  const signingKeys = listOf(input.signingKey);
  if (secrets.length + signingKeys.length === 0) throw invalidInput("secret", "or signingKey is required");
  const timestamp = String(seconds);
  const content = signedContent(id, timestamp, body);
  const entries: string[] = [];
  secrets.forEach((text, index) => {
    registerSecret(text);
    const key = decodeKey(String(text), "secret", `secret #${index + 1}`, (message) => invalidInput("secret", message));
    entries.push(`v1,${createHmac("sha256", key).update(content).digest("base64")}`);
  });
  signingKeys.forEach((text, index) => {
    registerSecret(text);
    const label = `signingKey #${index + 1}`;
    const fail = (message: string) => invalidInput("signingKey", message);
    const key = ed25519SigningKey(decodeKey(String(text), "signingKey", label, fail), fail, label);
    entries.push(`v1a,${cryptoSign(null, content, key).toString("base64")}`);
  });
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": entries.join(" ") };
}

/**
 * The `whpk_` public key of a `whsk_` signing key, to hand to receivers.
 * @example
 * const publicKey = standardWebhookPublicKey(signingKey); // "whpk_…"
 * @public
 */
export function standardWebhookPublicKey(signingKey: string): string {
  registerSecret(signingKey);
  const fail = (message: string) => invalidInput("signingKey", message);
  const key = ed25519SigningKey(decodeKey(String(signingKey), "signingKey", "signingKey", fail), fail, "signingKey");
  return `${PUBLIC_KEY_PREFIX}${rawPublicKey(key).toString("base64")}`;
}
