/**
 * Regression (issue 15): credentials a vendor echoes back are redacted everywhere an error keeps
 * them — the field issues of a ValidationError (built from the vendor's error entries) and an
 * AWS Signature V4 Authorization header quoted in a message.
 */
import { describe, expect, it } from "vitest";
import { ContractDriftError, redactText, registerSecret, ValidationError } from "../src/index.js";

describe("issue 15: echoed credentials", () => {
  it("ValidationError issues are redacted like its message, also in toJSON", () => {
    registerSecret("issue15-registered-secret-value");
    const error = new ValidationError("rejected", {
      issues: [
        { path: "from", message: "authorization=Bearer SG.abcdefgh12.ijklmnop34 is not valid" },
        { path: "(root)", message: "known=issue15-registered-secret-value" },
        { path: "token=abc123456789", message: "bad" },
      ],
    });
    expect(error.issues).toEqual([
      { path: "from", message: "authorization=Bearer [REDACTED] is not valid" },
      { path: "(root)", message: "known=[REDACTED]" },
      { path: "token=[REDACTED]", message: "bad" },
    ]);
    expect(JSON.stringify(error.toJSON())).not.toContain("issue15-registered-secret-value");
    const drift = new ContractDriftError("drift", { issues: [{ path: "x", message: "got issue15-registered-secret-value" }] });
    expect(drift.issues[0]!.message).toBe("got [REDACTED]");
  });

  it("an AWS Signature V4 Authorization header is redacted", () => {
    const header =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260302/us-east-1/textract/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    expect(redactText(`the request had authorization=${header} and failed`)).toBe("the request had authorization=AWS4-HMAC-SHA256 [REDACTED] and failed");
  });
});
