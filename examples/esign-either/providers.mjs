// Both e-signature providers behind core's shared interface, each against its embedded fake on
// 127.0.0.1, with its callbacks (DocuSign Connect, Authentisign per-signing callbacks) verified
// by a local receiver and turned into SignatureEvents. Used by the example (index.mjs) and by the
// conformance suite, which runs the same tests against whichever providers are listed here.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { serveHandlers } from "@connect/core/testing";
import { createAuthentisignClient, createAuthentisignSignatureProvider } from "@connect/authentisign";
import { createAuthentisignFake } from "@connect/authentisign/testing";
import { createDocuSignClient, createDocuSignSignatureProvider, createDocuSignWebhookHandler } from "@connect/docusign";
import { createDocuSignFake } from "@connect/docusign/testing";

/** The providers this example (and the conformance suite) knows. */
export const PROVIDERS = ["docusign", "authentisign"];

/** Quick retries and a breaker that opens after a few failures, so the demo and tests stay fast. */
export const DEMO_POLICY = {
  retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 20, jitter: false },
  limiter: false,
  breaker: { failureThreshold: 4, successThreshold: 1, resetTimeoutMs: 60_000 },
};

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function eventLog() {
  const events = [];
  const waiters = [];
  return {
    events,
    push(event) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    wait(predicate, timeoutMs = 5_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching SignatureEvent within ${timeoutMs} ms; got ${events.map((e) => e.type).join(", ") || "none"}`)), timeoutMs);
        waiters.push({ predicate, resolve: (event) => (clearTimeout(timer), resolve(event)) });
      });
    },
  };
}

async function startDocuSign({ policy }) {
  const fake = createDocuSignFake();
  const api = await serveHandlers(fake.handlers);
  const client = createDocuSignClient({ ...fake.clientOptions(api.url), policy });
  const log = eventLog();
  const webhook = createDocuSignWebhookHandler({ secrets: fake.hmacKeys, onSignatureEvent: (event) => log.push(event) });
  const receiver = await listen((req, res) => void webhook.node(req, res));
  // DocuSign: an account-level Connect configuration pointed at the receiver (HMAC-signed).
  fake.connect.configure({ url: `${receiver.url}/esign/docusign` });
  return {
    name: "docusign",
    provider: createDocuSignSignatureProvider(client),
    events: log.events,
    waitForEvent: log.wait,
    async completeAll(id) {
      await fake.completeAll(id);
      await fake.connect.settled();
    },
    async decline(id, email, reason) {
      await fake.decline(id, email, reason);
      await fake.connect.settled();
    },
    settled: () => fake.connect.settled(),
    signedBytes: () => undefined,
    outage() {
      fake.failNext({ status: 503, path: /\/restapi\//, times: 10_000 });
    },
    requestCount: () => api.requests.length,
    async close() {
      await fake.connect.settled();
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

async function startAuthentisign({ policy }) {
  const fake = createAuthentisignFake();
  const api = await serveHandlers(fake.handlers);
  const client = createAuthentisignClient({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    baseUrl: `${api.url}/authentisign`,
    tokenUrl: `${api.url}/oauth/token`,
    policy,
  });
  const log = eventLog();
  let provider;
  const receiver = await listen((req, res) => void provider.callbacks.node(req, res));
  // Authentisign: each signing's CallbackUrl carries an unguessable token bound to it.
  provider = createAuthentisignSignatureProvider(client, {
    callbacks: { url: `${receiver.url}/esign/authentisign`, secrets: randomBytes(32).toString("base64url"), onEvent: (event) => log.push(event) },
  });
  return {
    name: "authentisign",
    provider,
    events: log.events,
    waitForEvent: log.wait,
    completeAll: async (id) => void (await fake.completeAll(id)),
    decline: async (id, email, reason) => void (await fake.decline(id, email, reason)),
    settled: () => fake.flush(),
    signedBytes: (id) => fake.signedDocument(id),
    outage() {
      fake.failNext({ status: 503, path: "/api/v1/", times: 10_000 });
    },
    requestCount: () => api.requests.length,
    async close() {
      await fake.flush();
      await receiver.close();
      await client.close();
      await api.close();
    },
  };
}

/** Start one provider against its fake, with a verified callback receiver collecting SignatureEvents. */
export function startProvider(name, { policy = DEMO_POLICY } = {}) {
  if (name === "docusign") return startDocuSign({ policy });
  if (name === "authentisign") return startAuthentisign({ policy });
  throw new TypeError(`unknown e-signature provider "${name}" (expected ${PROVIDERS.join(" or ")})`);
}
