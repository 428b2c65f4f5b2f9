import { afterEach, describe, expect, it, vi } from "vitest";
import { createTextractClient } from "../src/index.js";
import { textractSdkLoader } from "../src/sdk.js";

const options = { region: "us-east-1", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "lazy-secret-key" }, policy: { retry: { attempts: 1 } } };

describe("textract: the AWS SDK loads on demand", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a client whose SDK cannot load fails its call with a typed error naming the package, before any request", async () => {
    vi.spyOn(textractSdkLoader, "load").mockRejectedValue(Object.assign(new Error("Cannot find package '@aws-sdk/client-textract'"), { code: "ERR_MODULE_NOT_FOUND" }));
    const textract = createTextractClient(options);
    const error = await textract.documents.detectText({ document: { bytes: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]) } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "IntegrationError", vendor: "textract", vendorCode: "SDK_NOT_LOADED", retryable: false, mayHaveReachedVendor: false });
    expect((error as Error).message).toContain("could not load @aws-sdk/client-textract");
    expect((error as Error).message).not.toContain("lazy-secret-key");
    await textract.close();
  });

  it("tries the load again on the next call after a failure", async () => {
    const load = vi.spyOn(textractSdkLoader, "load").mockRejectedValueOnce(new Error("transient"));
    const textract = createTextractClient(options);
    await expect(textract.documents.detectText({ document: { bytes: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]) } })).rejects.toMatchObject({ vendorCode: "SDK_NOT_LOADED" });
    // The second call loads for real and reaches the (closed) port: a network error, not SDK_NOT_LOADED.
    const second = await textract.documents.detectText({ document: { bytes: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]) } }).catch((e: unknown) => e);
    expect(second).not.toMatchObject({ vendorCode: "SDK_NOT_LOADED" });
    expect(load.mock.calls.length).toBeGreaterThanOrEqual(2);
    await textract.close();
  });
});
