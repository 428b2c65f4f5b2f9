import { describe, expect, it } from "vitest";
import { basicAuth, redactText, type OperationContext } from "../src/index.js";

describe("basicAuth", () => {
  it("sends Basic base64(user:password) and redacts the password and the header, not the account id", async () => {
    const auth = basicAuth("AC0123456789abcdef0123456789abcdef", () => "basic-auth-password-7f3a");
    const request = await auth.apply({ method: "GET", path: "/x" }, {} as OperationContext);
    const expected = Buffer.from("AC0123456789abcdef0123456789abcdef:basic-auth-password-7f3a").toString("base64");
    expect(request.headers).toEqual({ authorization: `Basic ${expected}` });
    expect(redactText(`account AC0123456789abcdef0123456789abcdef with basic-auth-password-7f3a and ${expected}`)).toBe(
      "account AC0123456789abcdef0123456789abcdef with [REDACTED] and [REDACTED]",
    );
  });
});

describe("isSensitiveKey", () => {
  it("recognises credential names, compound ones included, and leaves cursors and ids alone", async () => {
    const { isSensitiveKey } = await import("../src/index.js");
    const sensitive = ["authorization", "x-api-key", "crm_api_token", "stripeSecretKey", "db-password", "webhookSecret", "secretAccessKey", "AWS_SESSION_TOKEN", "user.password", "privateKey", "oauth_client_secret"];
    const plain = ["NextToken", "next_page_token", "SyncToken", "ClientRequestToken", "continuationToken", "idempotencyKey", "accessKeyId", "object_key", "tokenType", "token_count", "name", "signatureBase", "keywords"];
    expect(sensitive.filter((k) => !isSensitiveKey(k))).toEqual([]);
    expect(plain.filter((k) => isSensitiveKey(k))).toEqual([]);
  });
});
