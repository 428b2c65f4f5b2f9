/** Regression (issue 15): a signed-webhook settings answer of the wrong shape is drift, not "signing is off". */
import { ContractDriftError } from "@connect/core";
import { createSendGridClient } from "@connect/sendgrid";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST_POLICY, setup, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const SIGNED = "*/v3/user/webhooks/event/settings/signed";

describe("issue 15: eventWebhook settings that violate the schema", () => {
  it("a public_key that is not a string fails strict clients with ContractDriftError instead of reading as an empty key", async () => {
    const strict = createSendGridClient({ apiKey: h.fake.apiKey, baseUrl: h.server.url, policy: FAST_POLICY, drift: "strict" });
    h.server.use(http.get(SIGNED, () => HttpResponse.json({ public_key: 42 })), http.patch(SIGNED, () => HttpResponse.json({ public_key: { der: "x" } })));
    const read = await strict.eventWebhook.getPublicKey().catch((e: unknown) => e);
    const set = await strict.eventWebhook.setSigning({ enabled: true }).catch((e: unknown) => e);
    await strict.close();

    expect(read).toBeInstanceOf(ContractDriftError);
    expect((read as ContractDriftError).issues.map((i) => i.path)).toEqual(["publicKey"]);
    expect(set).toBeInstanceOf(ContractDriftError);
    expect(h.server.requests).toHaveLength(2);
  });

  it("in warn mode the vendor's value is passed on as it came, not replaced by an empty key", async () => {
    h.server.use(http.get(SIGNED, () => HttpResponse.json({ public_key: 42, id: 7 })));
    const settings = await h.client.eventWebhook.getPublicKey();
    expect(settings).toEqual({ publicKey: 42, id: 7 });
  });

  it("a missing public_key still means signing is off", async () => {
    h.server.use(http.get(SIGNED, () => HttpResponse.json({})));
    expect(await h.client.eventWebhook.getPublicKey()).toEqual({ publicKey: "" });
  });
});
