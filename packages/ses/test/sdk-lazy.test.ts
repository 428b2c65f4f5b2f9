import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSesClient } from "../src/index.js";
import { sesSdkLoader } from "../src/sdk.js";
import { createSesFake } from "../src/testing/index.js";
import { serveHandlers } from "@connect/core/testing";
import { CREDENTIALS, FAST_POLICY } from "./helpers.js";

const message = { from: "noreply@acme.test", to: "ana@example.com", subject: "s", text: "t" };

describe("ses: the AWS SDK loads on demand", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a client whose SDK cannot load fails its call with a typed error, before any request; the next call loads again", async () => {
    const fake = createSesFake({ credentials: CREDENTIALS });
    const server = await serveHandlers(fake.handlers);
    const load = vi.spyOn(sesSdkLoader, "load").mockRejectedValueOnce(Object.assign(new Error("Cannot find package '@aws-sdk/client-sesv2'"), { code: "ERR_MODULE_NOT_FOUND" }));
    const ses = createSesClient({ region: "us-east-1", endpoint: server.url, credentials: CREDENTIALS, policy: FAST_POLICY });
    try {
      const error = await ses.emails.send(message).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "IntegrationError", vendor: "ses", vendorCode: "SDK_NOT_LOADED", retryable: false, mayHaveReachedVendor: false });
      expect((error as Error).message).toContain("could not load @aws-sdk/client-sesv2");
      expect((error as Error).message).not.toContain(CREDENTIALS.secretAccessKey);
      expect(fake.calls).toEqual([]);
      await expect(ses.emails.send(message)).resolves.toMatchObject({ kind: "simple" });
      expect(load.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(fake.sent).toHaveLength(1);
    } finally {
      await ses.close();
      await server.close();
    }
  });

  it("importing the built @connect/ses (and /testing) loads no @aws-sdk package", () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const block = `import { registerHooks } from "node:module"; registerHooks({ resolve(s, c, next) { if (s.startsWith("@aws-sdk/")) throw new Error("loaded " + s); return next(s, c); } });`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", `${block} const ses = await import("@connect/ses"); await import("@connect/ses/testing"); const c = ses.createSesClient({ region: "us-east-1" }); ses.createSesMailer(c); await c.close(); console.log(typeof ses.createSesEventReceiver);`], { cwd: root, encoding: "utf8" });
    expect(out.trim()).toBe("function");
  });
});
