import { IntegrationError } from "@connect/core";
import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { s3ExportReader } from "@connect/bpo";
import { createS3Fake, type S3Fake } from "@connect/bpo/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { s3Sdk } from "../src/exports/s3.js";

// @aws-sdk/client-s3 is an optional peer dependency (issue 14): a host that never reads exports
// from S3 does not install it. Here the loader is swapped for one that fails as Node does when the
// package is absent, so the test runs with the SDK installed for the other S3 tests.
describe("s3ExportReader without @aws-sdk/client-s3 installed", () => {
  let s3: S3Fake;
  let server: ServedHandlers;
  const realLoad = s3Sdk.load;
  const notInstalled = (message: string, code = "ERR_MODULE_NOT_FOUND") => () => Promise.reject(Object.assign(new Error(message), { code }));

  beforeAll(async () => {
    s3 = createS3Fake();
    server = await serveHandlers(s3.handlers);
  });
  afterEach(() => {
    s3Sdk.load = realLoad;
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  const reader = () => s3ExportReader({ bucket: "bpo-exports", prefix: "outgoing/", endpoint: server.url, region: "us-east-1", credentials: s3.credentials, policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false } } });

  it("list() fails at once with an error that names the package to install, and sends nothing", async () => {
    s3Sdk.load = notInstalled("Cannot find package '@aws-sdk/client-s3' imported from /app/node_modules/@connect/bpo/dist/index.js");
    const r = reader();
    try {
      const error = (await r.list().catch((e: unknown) => e)) as IntegrationError;
      expect(error).toBeInstanceOf(IntegrationError);
      expect(error.constructor).toBe(IntegrationError);
      expect(error.vendorCode).toBe("S3_SDK_NOT_INSTALLED");
      expect(error.retryable).toBe(false);
      expect(error.attempts).toBe(1);
      expect(error.operation).toBe("exports.list");
      expect(error.message).toContain("s3ExportReader needs @aws-sdk/client-s3, an optional peer dependency of @connect/bpo that is not installed");
      expect(error.message).toContain("npm install @aws-sdk/client-s3");
      expect(server.requests).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it("the CommonJS form of the error is recognised too, and opening a file fails the same way", async () => {
    s3Sdk.load = notInstalled("Cannot find module '@aws-sdk/client-s3'\nRequire stack:\n- /app/index.cjs", "MODULE_NOT_FOUND");
    const r = reader();
    try {
      const error = (await r.forDate("2024-06-03").catch((e: unknown) => e)) as IntegrationError;
      expect(error.vendorCode).toBe("S3_SDK_NOT_INSTALLED");
      expect(server.requests).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it("a module missing inside an installed SDK is not reported as the SDK missing", async () => {
    s3Sdk.load = notInstalled("Cannot find package '@smithy/core' imported from /app/node_modules/@aws-sdk/client-s3/dist-es/index.js");
    const r = reader();
    try {
      const error = (await r.list().catch((e: unknown) => e)) as IntegrationError;
      expect(error).toBeInstanceOf(IntegrationError);
      expect(error.vendorCode).not.toBe("S3_SDK_NOT_INSTALLED");
      expect(error.message).not.toContain("not installed");
    } finally {
      await r.close();
    }
  });

  it("once the SDK loads, the same reader works (a failed load is not remembered)", async () => {
    s3.putObject("bpo-exports", "outgoing/bpo_export_2024-06-03.csv", "id,address,status\n");
    s3Sdk.load = notInstalled("Cannot find package '@aws-sdk/client-s3' imported from /app/x.js");
    const r = reader();
    try {
      await expect(r.list()).rejects.toMatchObject({ vendorCode: "S3_SDK_NOT_INSTALLED" });
      s3Sdk.load = realLoad;
      expect((await r.list()).map((f) => f.name)).toEqual(["bpo_export_2024-06-03.csv"]);
    } finally {
      await r.close();
    }
  });
});
