/**
 * Found by the repository's fault matrix (test/reliability): a 200 send answer whose `id` is not
 * a string is schema drift, not a sent message with an empty id.
 */
import { ContractDriftError } from "@connect/core";
import { FAST_TEST_POLICY, scripted, serveHandlers } from "@connect/core/testing";
import { getResponse, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createMailgunClient } from "../src/index.js";
import { createMailgunFake } from "../src/testing/index.js";

describe("messages.send answers that break the contract", () => {
  it("an id that is not a string is ContractDriftError in strict drift mode (no empty id handed back), after one request", async () => {
    const fake = createMailgunFake();
    const server = await serveHandlers(fake.handlers);
    server.use(scripted("post", "*/v3/:domain/messages", [() => HttpResponse.json({ id: 42, message: "Queued. Thank you." })]).handler);
    const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: server.url, policy: FAST_TEST_POLICY, drift: "strict" });
    try {
      const error = await client.messages.send({ from: "draws@mg.acme.test", to: "ana@example.com", subject: "s", text: "t" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ContractDriftError);
      expect(error).toMatchObject({ operation: "messages.send", attempts: 1 });
      expect(server.requests.filter((r) => r.url.endsWith("/messages"))).toHaveLength(1);
      // A well-formed answer still resolves to the id with and without brackets.
      const sent = await client.messages.send({ from: "draws@mg.acme.test", to: "bo@example.com", subject: "s", text: "t" });
      expect(sent.id).toMatch(/^<.+@mg\.acme\.test>$/);
      expect(sent.messageId).toBe(sent.id.slice(1, -1));
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe("suppression deletes after an attempt that may have reached Mailgun", () => {
  it("Mailgun removed the bounce but the answer came too late: the retry looks first and resolves, one DELETE sent", async () => {
    const fake = createMailgunFake();
    fake.domain().bounces.push({ address: "gone@example.com", code: "550", error: "mailbox unavailable", created_at: new Date().toUTCString() });
    let stalled = false;
    const commitThenStall = http.delete("*/v3/:domain/bounces/:address", async ({ request }) => {
      if (stalled) return undefined;
      stalled = true;
      const answer = await getResponse(fake.handlers, request);
      await new Promise((resolve) => setTimeout(resolve, 600));
      return answer;
    });
    const server = await serveHandlers([commitThenStall, ...fake.handlers]);
    const client = createMailgunClient({ apiKey: fake.apiKey, domain: fake.domainName, region: "us", baseUrl: server.url, policy: { ...FAST_TEST_POLICY, timeout: { attemptMs: 250, totalMs: 10_000 } } });
    try {
      await expect(client.bounces.delete({ address: "gone@example.com" })).resolves.toMatchObject({ address: "gone@example.com" });
      expect(fake.domain().bounces.some((b) => b.address === "gone@example.com")).toBe(false);
      expect(server.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
      expect(server.requests.filter((r) => r.method === "GET" && r.url.includes("/bounces/"))).toHaveLength(1);
      // A first call on an address that is not listed is still NotFoundError, as Mailgun answers.
      await expect(client.bounces.delete({ address: "never@example.com" })).rejects.toMatchObject({ name: "NotFoundError", status: 404 });
    } finally {
      await client.close();
      await server.close();
    }
  });
});
