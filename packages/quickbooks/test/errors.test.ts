import { AuthError, ConflictError, NotFoundError, ServerError, ValidationError } from "@connect/core";
import { classifyQuickBooksError, readFault } from "@connect/quickbooks";
import { describe, expect, it } from "vitest";

const response = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers, requestId: headers.intuit_tid });

describe("Fault mapping", () => {
  it("reads the capitalised accounting Fault and the lower-case 401 shape alike", () => {
    expect(readFault({ Fault: { Error: [{ Message: "Stale Object Error", Detail: "d", code: "5010", element: "" }], type: "ValidationFault" } })).toEqual({
      type: "ValidationFault",
      errors: [{ code: "5010", message: "Stale Object Error", detail: "d", element: undefined }],
    });
    expect(readFault({ warnings: null, fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Token expired: x", code: "3200", element: null }], type: "AUTHENTICATION" } })).toEqual({
      type: "AUTHENTICATION",
      errors: [{ code: "3200", message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail: "Token expired: x", element: undefined }],
    });
    expect(readFault({ Customer: {} })).toBeUndefined();
  });

  it.each([
    [400, "ValidationFault", "5010", ConflictError],
    [400, "ValidationFault", "6240", ConflictError],
    [400, "ValidationFault", "6210", ConflictError],
    [400, "ValidationFault", "610", NotFoundError],
    [400, "ValidationFault", "6000", ValidationError],
    [400, "ValidationFault", "500", ValidationError],
    [500, "SystemFault", "10000", ServerError],
    [401, "AuthenticationFault", "3200", AuthError],
  ])("HTTP %s %s %s → %o", (status, type, code, Class) => {
    const error = classifyQuickBooksError(response(status, { Fault: { Error: [{ Message: "m", Detail: "d", code }], type } }, { intuit_tid: "1-abc" }))!;
    expect(error).toBeInstanceOf(Class);
    expect(error.vendorCode).toBe(code);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe("1-abc");
  });

  it("a success without a Fault is no error; a SystemFault inside a 200 is a retryable ServerError", () => {
    expect(classifyQuickBooksError(response(200, { Customer: { Id: "1" } }))).toBeUndefined();
    const error = classifyQuickBooksError(response(200, { Fault: { Error: [{ Message: "x", code: "10000" }], type: "SystemFault" } }))!;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.retryable).toBe(true);
  });
});
