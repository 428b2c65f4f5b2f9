import { http, HttpResponse } from "msw";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  NOT_IMPLEMENTED_HEADER,
  notImplementedHandler,
  notImplementedMessage,
  serveHandlers,
  type ServedHandlers,
} from "../src/testing/index.js";

let server: ServedHandlers | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("notImplementedHandler: a fake's gap is a distinctive 501, never a vendor-like 404", () => {
  it("answers 501 with the marker header and a body naming the fake, the method and the path", async () => {
    server = await serveHandlers([
      http.get("*/v1/known", () => HttpResponse.json({ ok: true })),
      notImplementedHandler("@connect/example/testing"),
    ]);
    const response = await request(`${server.url}/v1/unknown/thing?x=1`, { method: "DELETE" });
    expect(response.statusCode).toBe(501);
    expect(response.headers[NOT_IMPLEMENTED_HEADER]).toBe("@connect/example/testing");
    expect(await response.body.json()).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/example/testing fake: DELETE /v1/unknown/thing",
      fake: "@connect/example/testing",
      method: "DELETE",
      path: "/v1/unknown/thing",
    });
  });

  it("leaves the fake's own handlers answering (it is the last resort only)", async () => {
    server = await serveHandlers([
      http.get("*/v1/known", () => HttpResponse.json({ ok: true })),
      notImplementedHandler("@connect/example/testing"),
    ]);
    const response = await request(`${server.url}/v1/known`);
    expect(response.statusCode).toBe(200);
    expect(response.headers[NOT_IMPLEMENTED_HEADER]).toBeUndefined();
    expect(await response.body.json()).toEqual({ ok: true });
  });

  it("limits itself to the given pattern, so other hosts' requests fall through", async () => {
    server = await serveHandlers([notImplementedHandler("@connect/example/testing", "*/api/*")], { onUnhandledRequest: "404" });
    const inside = await request(`${server.url}/api/x`, { method: "POST", body: "{}" });
    expect(inside.statusCode).toBe(501);
    await inside.body.dump();
    const outside = await request(`${server.url}/other`);
    expect(outside.statusCode).toBe(404);
    expect(outside.headers[NOT_IMPLEMENTED_HEADER]).toBeUndefined();
    await outside.body.dump();
  });

  it("formats the message with the method upper-cased", () => {
    expect(notImplementedMessage("twilio", "get", "/2010-04-01/Accounts")).toBe("not implemented by twilio fake: GET /2010-04-01/Accounts");
  });
});

describe("notImplementedByFake: naming what is missing when the path alone does not say", () => {
  it("appends the detail to the message and merges extra fields into the body", async () => {
    const { notImplementedByFake } = await import("../src/testing/index.js");
    const response = notImplementedByFake("@connect/example/testing", new Request("http://127.0.0.1/v3/company/1/query?query=x"), {
      detail: "select from Estimate",
      fields: { entity: "Estimate" },
    });
    expect(response.status).toBe(501);
    expect(response.headers.get(NOT_IMPLEMENTED_HEADER)).toBe("@connect/example/testing");
    expect(await response.json()).toEqual({
      error: "not_implemented_by_fake",
      message: "not implemented by @connect/example/testing fake: GET /v3/company/1/query (select from Estimate)",
      fake: "@connect/example/testing",
      method: "GET",
      path: "/v3/company/1/query",
      entity: "Estimate",
    });
  });
});
