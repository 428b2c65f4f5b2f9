import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Consumers get the built package through its exports map, as from a registry: import and require.
const root = fileURLToPath(new URL("../../..", import.meta.url));
const run = (code: string, type: "module" | "commonjs"): string =>
  execFileSync(process.execPath, [type === "module" ? "--input-type=module" : "--input-type=commonjs", "-e", code], { cwd: root, encoding: "utf8" }).trim();

describe("the built @connect/core", () => {
  it("can be imported as ESM", () => {
    const out = run(
      `import { defineOperation, ServerError, IntegrationError } from "@connect/core"; import { serveHandlers } from "@connect/core/testing";
       const e = new ServerError("x", { status: 503 });
       console.log(typeof defineOperation, typeof serveHandlers, e instanceof IntegrationError, e.retryable, e.name);`,
      "module",
    );
    expect(out).toBe("function function true true ServerError");
  });

  it("can be required as CommonJS, and its errors are recognised by the ESM copy (brand)", () => {
    const out = run(
      `const { defineOperation, NotFoundError } = require("@connect/core");
       const e = new NotFoundError("gone", { status: 404 });
       import("@connect/core").then((esm) => console.log(typeof defineOperation, e instanceof esm.NotFoundError, esm.IntegrationError.is(e), e instanceof esm.ServerError));`,
      "commonjs",
    );
    expect(out).toBe("function true true false");
  });
});

describe("the built @connect/core loads undici on demand", () => {
  it("does not load undici at require, loads it once a runtime with a base URL exists, and the first call succeeds", () => {
    const out = run(
      `const http = require("node:http");
       const loaded = () => Object.keys(require.cache).some((k) => k.includes("/node_modules/undici/"));
       const core = require("@connect/core");
       const atImport = loaded();
       const server = http.createServer((req, res) => { res.setHeader("content-type", "application/json"); res.end('{"ok":true}'); }).listen(0, "127.0.0.1", async () => {
         const rt = core.createRuntime({ adapter: { id: "acme", version: "1.0.0" }, baseUrl: "http://127.0.0.1:" + server.address().port, defaults: { timeout: { attemptMs: 5000, totalMs: 10000 } } });
         const { z } = require("zod");
         const op = core.defineOperation({ id: "things.get", input: z.object({}), idempotent: true, request: () => ({ method: "GET", path: "/things" }) });
         const body = await rt.run(op, {}).catch((e) => ({ error: e.name + ": " + e.message }));
         console.log(JSON.stringify({ atImport, afterCall: loaded(), body }));
         await rt.close(); server.close();
       });`,
      "commonjs",
    );
    expect(JSON.parse(out)).toEqual({ atImport: false, afterCall: true, body: { ok: true } });
  });
});
