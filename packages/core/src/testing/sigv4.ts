/**
 * Checks an AWS Signature Version 4 `Authorization` header the way AWS does: rebuild the
 * canonical request from what arrived, derive the signing key from the secret of the access key
 * named in the credential scope, and compare signatures. Written from AWS's SigV4 specification
 * (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) with node:crypto, for
 * the AWS fakes (Textract, SES). The canonical URI is every path segment URI-encoded once more, as
 * every AWS service but S3 signs it (an address `a%2Bb%40x.com` is signed as `a%252Bb%2540x.com`;
 * a JSON-protocol service's `/` is unchanged).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Static AWS credentials a fake accepts. @public */
export interface FakeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Why a signature was refused, as the error code AWS answers. @public */
export interface SignatureFailure {
  code: "MissingAuthenticationTokenException" | "IncompleteSignatureException" | "UnrecognizedClientException" | "InvalidSignatureException";
  message: string;
}

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const DATE_RE = /^(\d{8})T\d{6}Z$/;
// AWS refuses a signature more than 15 minutes off its clock ("Signature expired").
const MAX_SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX upper-case). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(url: URL): string {
  return [...url.searchParams]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function parseAmzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

/**
 * Verify the SigV4 signature of a request for `service`; `undefined` when it is valid, else the
 * error AWS answers. Header values are canonicalised (trimmed, inner spaces collapsed).
 * @public
 */
export function verifySigV4(input: {
  method: string;
  url: URL;
  headers: Headers;
  body: Uint8Array;
  service: string;
  region?: string | undefined;
  credentials: readonly FakeCredentials[];
  now: number;
}): SignatureFailure | undefined {
  const authorization = input.headers.get("authorization");
  if (!authorization) return { code: "MissingAuthenticationTokenException", message: "Request is missing Authentication Token" };
  const m = AUTH_RE.exec(authorization.trim());
  if (!m) {
    return { code: "IncompleteSignatureException", message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (AWS4-HMAC-SHA256)." };
  }
  const [, credential, signedHeaders, signature] = m as unknown as [string, string, string, string];
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    return { code: "IncompleteSignatureException", message: "Credential should be scoped to a valid region, service and aws4_request terminator." };
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  const amzDate = input.headers.get("x-amz-date") ?? "";
  const dm = DATE_RE.exec(amzDate);
  if (!dm) return { code: "IncompleteSignatureException", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
  if (dm[1] !== date) return { code: "InvalidSignatureException", message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${dm[1]}'` };
  if (service !== input.service) return { code: "InvalidSignatureException", message: `Credential should be scoped to correct service: '${input.service}'.` };
  if (input.region !== undefined && region !== input.region) {
    return { code: "InvalidSignatureException", message: `Credential should be scoped to a valid region, not '${region}'.` };
  }
  const signed = signedHeaders.split(";");
  if (!signed.includes("host")) return { code: "InvalidSignatureException", message: "'Host' must be a 'SignedHeader' in the AWS Authorization." };
  const owner = input.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!owner) return { code: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  const sent = parseAmzDate(amzDate);
  if (!(Math.abs(input.now - sent) <= MAX_SKEW_MS)) {
    return { code: "InvalidSignatureException", message: `Signature expired: ${amzDate} is now earlier or later than the server time by more than 15 min.` };
  }

  const canonicalHeaders = signed.map((name) => `${name}:${(input.headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const payloadHash = input.headers.get("x-amz-content-sha256") ?? sha256Hex(input.body);
  const canonicalUri = (input.url.pathname || "/").split("/").map(encode).join("/");
  const canonicalRequest = [input.method.toUpperCase(), canonicalUri, canonicalQuery(input.url), canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, credentialScope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${owner.secretAccessKey}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      code: "InvalidSignatureException",
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return undefined;
}
