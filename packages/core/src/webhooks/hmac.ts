/**
 * HMAC signature verifiers: plain (DocuSign, QuickBooks, Twilio) and timestamped with a
 * replay window (the Authentisign-style `v1=` scheme). Constant-time comparison, several
 * active secrets for rotation, several signature headers of which any may match.
 */
import { createHmac } from "node:crypto";
import type { DedupeStore } from "../idempotency/dedupe.js";
import {
  assertFresh,
  badSignatureHints,
  decodeSignature,
  headerNamesMatching,
  headerOf,
  parseTimestamp,
  digestCandidates,
  rawBodyOf,
  secretsResolver,
  signatureTokens,
  verificationError,
  type TimestampOptions,
} from "./common.js";
import { timingSafeEqualBuffers } from "./compare.js";
import type { SecretSource, SignedPayload, WebhookRequest, WebhookVerifier } from "./types.js";

/** HMAC digest algorithms. @public */
export type HmacAlgorithm = "sha1" | "sha256" | "sha512";

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Options of {@link hmacVerifier}. @public */
export interface HmacVerifierOptions {
  /** Vendor id, for messages. */
  vendor?: string | undefined;
  /** Header carrying the signature (case-insensitive). */
  header?: string | undefined;
  /** Several headers, any of which may carry a matching signature; a RegExp matches lower-case header names (`/^x-docusign-signature-\d+$/`). */
  headerNames?: ReadonlyArray<string | RegExp> | undefined;
  /** Digest algorithm. */
  algorithm: HmacAlgorithm;
  /** Signature encoding in the header; base64 also accepts base64url. */
  encoding: "hex" | "base64";
  /** Active secrets; any may match (rotation). */
  secrets: SecretSource;
  /** Text before the signature, e.g. `sha256=` or `v1=`; required when set. */
  prefix?: string | undefined;
  /** The signed bytes (default: the raw body); return several candidates when any may match (a URL with and without its default port). */
  payload?: ((req: WebhookRequest) => SignedPayload) | undefined;
}

/** Options of {@link timestampedHmacVerifier}. @public */
export interface TimestampedHmacVerifierOptions extends Omit<HmacVerifierOptions, "payload">, TimestampOptions {
  /** Header carrying the timestamp. */
  timestampHeader?: string | undefined;
  /** Read the timestamp some other way (e.g. `t=` inside the signature header); overrides `timestampHeader`. */
  timestamp?: ((req: WebhookRequest) => string | undefined) | undefined;
  /** The signed bytes (default: `"<timestamp>.<raw body>"`). */
  payload?: ((req: WebhookRequest, timestamp: string) => SignedPayload) | undefined;
  /** Reject a signature seen before within the window (opt-in: a vendor that redelivers with the same signature would be refused). */
  replay?: DedupeStore | undefined;
}

/** Where a verifier reads its signatures: the configured names and patterns, worked out once. */
interface HeaderSpec {
  specs: ReadonlyArray<string | RegExp>;
  /** The lower-cased names when there is no pattern among them (nothing to match per request). */
  fixed: readonly string[] | undefined;
}

function headerSpec(options: Pick<HmacVerifierOptions, "header" | "headerNames">, factory: string): HeaderSpec {
  const specs = [...(options.header ? [options.header] : []), ...(options.headerNames ?? [])];
  if (specs.length === 0) throw new TypeError(`${factory}: set \`header\` or \`headerNames\``);
  const fixed = specs.every((spec) => typeof spec === "string") ? [...new Set((specs as string[]).map((spec) => spec.toLowerCase()))] : undefined;
  return { specs, fixed };
}

/** Collect and decode the signatures of a request; throws missing_header / malformed_signature. */
function readSignatures(req: WebhookRequest, options: HmacVerifierOptions, spec: HeaderSpec): Buffer[] {
  const names = spec.fixed ?? [...new Set(spec.specs.flatMap((s) => (typeof s === "string" ? [s.toLowerCase()] : headerNamesMatching(req, s))))];
  const values = names.map((name) => headerOf(req, name)).filter((value): value is string => value !== undefined && value.trim() !== "");
  if (values.length === 0) {
    const described = spec.specs.map((s) => (typeof s === "string" ? s : String(s))).join(" or ");
    throw verificationError("missing_header", `no signature header (${described}); is signing enabled at the vendor, and does a proxy strip the header?`, options.vendor);
  }
  const expected = DIGEST_BYTES[options.algorithm];
  let tokens = values.flatMap(signatureTokens);
  if (options.prefix) {
    const prefix = options.prefix;
    const prefixed = tokens.filter((token) => token.startsWith(prefix)).map((token) => token.slice(prefix.length));
    if (prefixed.length === 0) {
      throw verificationError("malformed_signature", `the signature header does not start with "${prefix}"`, options.vendor);
    }
    tokens = prefixed;
  }
  const signatures = tokens.map((token) => decodeSignature(token, options.encoding)).filter((sig): sig is Buffer => sig?.length === expected);
  if (signatures.length === 0) {
    const first = tokens[0] ?? "";
    // A label such as `sha256=` or `v1=` before the value (not base64 padding at the end).
    const label = options.prefix ? undefined : /^([a-z][a-z0-9_-]{0,15})=[^=]/i.exec(first)?.[1];
    const prefixHint = label ? `; it looks prefixed ("${label}="), set the \`prefix\` option` : "";
    throw verificationError(
      "malformed_signature",
      `the signature is not ${options.encoding} of a ${expected}-byte ${options.algorithm} digest${prefixHint}`,
      options.vendor,
    );
  }
  return signatures;
}

async function checkHmac(
  options: HmacVerifierOptions,
  body: Buffer,
  payloads: ReadonlyArray<Buffer | string>,
  signatures: Buffer[],
  secretsOf: () => string[] | Promise<string[]>,
): Promise<void> {
  const pending = secretsOf();
  const secrets = Array.isArray(pending) ? pending : await pending;
  if (secrets.length === 0) throw verificationError("no_secret", "no signing secret is configured", options.vendor);
  const matchesWith = (secret: string): boolean => {
    for (const payload of payloads) {
      const digest = createHmac(options.algorithm, secret).update(payload).digest();
      // Every comparison is constant-time, and one digest is compared against every signature;
      // after a digest matched, the remaining candidates and secrets are not computed. Which URL
      // form or which rotating secret matched is no secret, and a request that matches nothing
      // still costs every candidate under every secret, whatever its signature.
      let matched = false;
      for (const signature of signatures) matched = timingSafeEqualBuffers(digest, signature) || matched;
      if (matched) return true;
    }
    return false;
  };
  let ok = false;
  for (const secret of secrets) {
    if (matchesWith(secret)) {
      ok = true;
      break;
    }
  }
  if (!ok) {
    throw verificationError(
      "bad_signature",
      `the signature does not match (${secrets.length} secret${secrets.length === 1 ? "" : "s"} tried)${badSignatureHints(body, secrets, matchesWith)}`,
      options.vendor,
    );
  }
}

function normalised(req: WebhookRequest, body: Buffer): WebhookRequest {
  return req.rawBody === body ? req : { ...req, rawBody: body };
}

/**
 * Verify an HMAC signature over the raw body (or a built payload).
 * @example
 * // DocuSign Connect: base64 HMAC-SHA256 in X-DocuSign-Signature-1..N, any may match
 * const verifier = hmacVerifier({ vendor: "docusign", headerNames: [/^x-docusign-signature-\d+$/], algorithm: "sha256", encoding: "base64", secrets: [current, next] });
 * @public
 */
export function hmacVerifier(options: HmacVerifierOptions): WebhookVerifier {
  const names = headerSpec(options, "hmacVerifier");
  const secrets = secretsResolver(options.secrets);
  return {
    async verify(req) {
      const body = rawBodyOf(req, options.vendor);
      const signatures = readSignatures(req, options, names);
      const payloads = digestCandidates(options.payload ? options.payload(normalised(req, body)) : body);
      await checkHmac(options, body, payloads, signatures, secrets);
    },
  };
}

/**
 * Verify an HMAC over a timestamp and the raw body, rejecting timestamps outside the
 * tolerance window (default 300 s) and, when `replay` is set, signatures seen before.
 * @example
 * const verifier = timestampedHmacVerifier({ header: "x-authentisign-signature", prefix: "v1=", timestampHeader: "x-authentisign-timestamp", algorithm: "sha256", encoding: "hex", secrets });
 * @public
 */
export function timestampedHmacVerifier(options: TimestampedHmacVerifierOptions): WebhookVerifier {
  const names = headerSpec(options, "timestampedHmacVerifier");
  if (!options.timestamp && !options.timestampHeader) throw new TypeError("timestampedHmacVerifier: set `timestampHeader` or `timestamp`");
  const unit = options.timestampUnit ?? "s";
  const secrets = secretsResolver(options.secrets);
  return {
    async verify(req) {
      const body = rawBodyOf(req, options.vendor);
      const signatures = readSignatures(req, { ...options, payload: undefined }, names);
      const timestamp = options.timestamp ? options.timestamp(req) : headerOf(req, options.timestampHeader as string);
      if (timestamp === undefined || timestamp.trim() === "") {
        throw verificationError("missing_header", `no timestamp${options.timestampHeader ? ` header (${options.timestampHeader})` : ""}`, options.vendor);
      }
      const timestampMs = parseTimestamp(timestamp, unit, options.vendor);
      const full = normalised(req, body);
      const payload = options.payload ? options.payload(full, timestamp.trim()) : Buffer.concat([Buffer.from(`${timestamp.trim()}.`, "utf8"), body]);
      await checkHmac({ ...options, payload: undefined }, body, digestCandidates(payload), signatures, secrets);
      assertFresh(timestampMs, options, options.vendor);
      if (options.replay) {
        const windowMs = (options.toleranceSec ?? 300) * 2000;
        if (await options.replay.seen(`hmac:${signatures.map((s) => s.toString("hex")).join(",")}`, windowMs)) {
          throw verificationError("replayed", "this signature was already accepted within the tolerance window (a replayed request)", options.vendor);
        }
      }
    },
  };
}
