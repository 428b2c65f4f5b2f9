// Per-vendor calls side by side: raw undici, the vendor's official SDK and our client, each
// making the same call against the same loopback server answering with the vendor's real
// response body, in one run. The server is the package's fake behind bench/fake-host.mjs's
// record-and-replay front (another process): our client makes the call once through to the fake
// (auth, seeding), the front records the fake's answer, and from then on answers that call from
// the recording — so the server costs the same for the three clients and the floor is honest.
//
//   node bench/vendors.mjs [--smoke] [--only=twilio,sendgrid]   JSON
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Agent, request } from "undici";
import { median, parseArgs } from "./lib.mjs";

const root = new URL("..", import.meta.url).pathname;
const BORROWER = "+14155550100";
const SENDER = "+14155552345";
// Our clients' default policies hold each vendor's documented quota (DocuSign 0.8 req/s,
// QuickBooks 7 req/s and 8 at once…), which the official SDKs do not; a limiter that never
// waits keeps the limiter's cost in the path, as bench/overhead.mjs does. Everything else is the
// package's default policy (validation, breaker, retry, timeouts, spans, metrics).
const policy = { limiter: { perSecond: 1_000_000, burst: 1_000_000 } };

/** Start a fake with its recording front; resolves with its setup and a message channel. */
export async function startFront(name) {
  const host = fork(join(root, "bench", "fake-host.mjs"), [name, "--front"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const setup = await new Promise((resolve, reject) => {
    host.once("message", resolve);
    host.once("exit", (code) => reject(new Error(`fake-host ${name} exited ${code}`)));
  });
  if (!setup.ok) throw new Error(`fake-host ${name}: ${setup.error}`);
  let next = 0;
  const tell = (message) =>
    new Promise((resolve) => {
      const id = (next += 1);
      const onMessage = (m) => {
        if (m.ack !== id) return;
        host.off("message", onMessage);
        resolve(m);
      };
      host.on("message", onMessage);
      host.send({ ...message, id });
    });
  return { setup, tell, stop: () => host.kill() };
}

/**
 * One vendor each: `prepare` builds both clients, seeds the resource through our client, asks
 * the front to record the measured call, makes it once, and returns the three calls.
 */
export const VENDORS = {
  async twilio({ setup, tell }) {
    const { createTwilioClient } = await import("@connect/twilio");
    const { default: twilio } = await import("twilio");
    const ours = createTwilioClient({ ...setup.options, policy });
    const { sid } = await ours.messages.send({ to: BORROWER, from: SENDER, body: "Draw 3 inspection Tue 10:00" });
    const path = `/2010-04-01/Accounts/${setup.options.accountSid}/Messages/${sid}.json`;
    await tell({ record: `^GET ${path}$` });
    await ours.messages.get({ sid });
    // twilio-node's own RequestClient (axios), with the Twilio origin pointed at the front.
    const origin = setup.options.baseUrl;
    class LoopbackRequestClient extends twilio.RequestClient {
      request(opts) {
        const url = new URL(opts.uri);
        return super.request({ ...opts, uri: `${origin}${url.pathname}${url.search}` });
      }
    }
    const official = twilio(setup.options.accountSid, setup.options.auth.authToken, { httpClient: new LoopbackRequestClient() });
    return {
      operation: "GET a message (messages.get / messages(sid).fetch())",
      url: `${origin}${path}`,
      ours: () => ours.messages.get({ sid }),
      official: () => official.messages(sid).fetch(),
      close: () => ours.close(),
    };
  },
  async sendgrid({ setup, tell }) {
    const { createSendGridClient } = await import("@connect/sendgrid");
    const { Client } = await import("@sendgrid/client");
    const { MailService } = await import("@sendgrid/mail");
    const ours = createSendGridClient({ ...setup.options, policy });
    const message = { to: "ana@example.com", from: "closing@acme-lending.example", subject: "Draw 3 approved", text: "Your draw request was approved." };
    const wire = {
      personalizations: [{ to: [{ email: message.to }] }],
      from: { email: message.from },
      subject: message.subject,
      content: [{ type: "text/plain", value: message.text }],
    };
    await tell({ record: "^POST /v3/mail/send$" });
    await ours.mail.send(wire);
    const client = new Client();
    client.setApiKey(setup.options.apiKey);
    client.setDefaultRequest("baseUrl", setup.options.baseUrl);
    const official = new MailService();
    official.setClient(client);
    return {
      operation: "send one message (mail.send, 202 + X-Message-Id)",
      url: `${setup.options.baseUrl}/v3/mail/send`,
      method: "POST",
      body: JSON.stringify(wire),
      ours: () => ours.mail.send(wire),
      official: () => official.send(message),
      close: () => ours.close(),
    };
  },
  async docusign({ setup, tell }) {
    const { createDocuSignClient } = await import("@connect/docusign");
    const { default: docusign } = await import("docusign-esign");
    const ours = createDocuSignClient({ ...setup.options, policy });
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const created = await ours.envelopes.create({
      emailSubject: "Loan L-1001: please sign",
      documents: [{ documentId: 1, name: "Loan agreement.pdf", content: pdf }],
      recipients: { signers: [{ name: "Ana Borrower", email: "ana@example.com", routingOrder: 1, tabs: { signHereTabs: [{ anchorString: "/sn1/" }] } }] },
    });
    const envelopeId = created.envelopeId;
    await tell({ record: `^GET /restapi/v2\\.1/accounts/[^/]+/envelopes/${envelopeId}$` });
    await ours.envelopes.get({ envelopeId });
    const restBase = setup.options.baseUrl ?? setup.options.basePath;
    const apiClient = new docusign.ApiClient({ basePath: `${new URL(restBase).origin}/restapi` });
    apiClient.addDefaultHeader("Authorization", "Bearer bench-token");
    const envelopes = new docusign.EnvelopesApi(apiClient);
    return {
      operation: "GET an envelope (envelopes.get / EnvelopesApi.getEnvelope)",
      url: `${new URL(restBase).origin}/restapi/v2.1/accounts/${setup.options.accountId}/envelopes/${envelopeId}`,
      ours: () => ours.envelopes.get({ envelopeId }),
      official: () => envelopes.getEnvelope(setup.options.accountId, envelopeId),
      close: () => ours.close(),
    };
  },
  async quickbooks({ setup, tell }) {
    const { createMemoryTokenStore } = await import("@connect/core");
    const { createQuickBooksClient } = await import("@connect/quickbooks");
    const { default: QuickBooks } = await import("node-quickbooks");
    const tokens = createMemoryTokenStore();
    await tokens.set(setup.token.key, setup.token.value);
    const ours = createQuickBooksClient({ ...setup.options, tokens, policy });
    const customer = await ours.customers.create({ DisplayName: "Ana Builder (Loan L-1001)" });
    await tell({ record: `^GET /v3/company/${setup.options.realmId}/customer/${customer.Id}$` });
    await ours.customers.get({ id: customer.Id });
    const origin = new URL(setup.options.baseUrl).origin;
    QuickBooks.V3_ENDPOINT_BASE_URL = `${origin}/v3/company/`;
    const { access_token: accessToken, refresh_token: refreshToken } = setup.token.value;
    const official = new QuickBooks(setup.options.clientId, setup.options.clientSecret, accessToken ?? setup.token.value.accessToken, false, setup.options.realmId, true, false, "75", "2.0", refreshToken ?? setup.token.value.refreshToken);
    return {
      operation: "GET a customer (customers.get / getCustomer)",
      url: `${origin}/v3/company/${setup.options.realmId}/customer/${customer.Id}?minorversion=75`,
      ours: () => ours.customers.get({ id: customer.Id }),
      official: () => new Promise((resolve, reject) => official.getCustomer(customer.Id, (err, data) => (err ? reject(err) : resolve(data)))),
      close: () => ours.close(),
    };
  },
  async textract({ setup, tell }) {
    const { createTextractClient } = await import("@connect/textract");
    const { TextractClient, AnalyzeDocumentCommand } = await import("@aws-sdk/client-textract");
    // A real AnalyzeDocument response (FORMS + TABLES) captured from AWS.
    const fixture = readFileSync(join(root, "packages/textract/test/fixtures/analyze-document-forms-tables-checkboxes.json"), "utf8");
    await tell({ canned: { key: "POST / Textract.AnalyzeDocument", status: 200, headers: { "content-type": "application/x-amz-json-1.1", "content-length": String(Buffer.byteLength(fixture)) }, body: fixture } });
    const ours = createTextractClient({ ...setup.options, policy });
    const official = new TextractClient({ region: setup.options.region, endpoint: setup.options.endpoint, credentials: setup.options.credentials });
    const bytes = new Uint8Array(readFileSync(join(root, "packages/textract/test/fixtures/analyze-document-forms-tables-checkboxes.json")).subarray(0, 2048));
    return {
      operation: "AnalyzeDocument FORMS + TABLES, sync (ours resolves key-values and tables; the AWS client returns raw blocks)",
      url: setup.options.endpoint,
      method: "POST",
      headers: { "x-amz-target": "Textract.AnalyzeDocument", "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ Document: { Bytes: Buffer.from(bytes).toString("base64") }, FeatureTypes: ["FORMS", "TABLES"] }),
      ours: () => ours.documents.analyze({ document: { bytes }, features: ["FORMS", "TABLES"] }),
      official: () => official.send(new AnalyzeDocumentCommand({ Document: { Bytes: bytes }, FeatureTypes: ["FORMS", "TABLES"] })),
      close: async () => {
        official.destroy();
        await ours.close();
      },
    };
  },
};

async function throughput(fn, { concurrency, durationMs }) {
  let done = 0;
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn();
        done += 1;
      }
    }),
  );
  return (done / durationMs) * 1000;
}

/** Every vendor's three paths at concurrency 1 and 16, rounds interleaved; medians of rounds. */
export async function benchVendors({ smoke = false, only } = {}) {
  const durationMs = smoke ? 100 : 1_000;
  const rounds = smoke ? 1 : 5;
  const rows = [];
  for (const [name, prepare] of Object.entries(VENDORS)) {
    if (only && !only.includes(name)) continue;
    const front = await startFront(name);
    const agent = new Agent({ keepAliveTimeout: 4_000, connections: 32 });
    try {
      const call = await prepare(front);
      // The floor sends the headers our client sent for the same call (its auth included: a
      // bearer token or a SigV4 signature is bytes on the wire for every client), minus the ones
      // undici sets itself.
      await call.ours();
      const { seen } = await front.tell({ inspect: true });
      const ourKey = `${call.method ?? "GET"} ${new URL(call.url).pathname}${call.headers?.["x-amz-target"] ? ` ${call.headers["x-amz-target"]}` : ""}`;
      const ourHeaders = Object.fromEntries(Object.entries(seen[ourKey] ?? {}).filter(([name]) => !["host", "connection", "content-length", "transfer-encoding", "keep-alive"].includes(name)));
      if (!seen[ourKey]) throw new Error(`${name}: the front saw no request for ${ourKey}`);
      const rawHeaders = { accept: "application/json", ...(call.body ? { "content-type": "application/json" } : {}), ...call.headers, ...ourHeaders };
      const raw = async () => {
        const res = await request(call.url, { method: call.method ?? "GET", dispatcher: agent, headers: rawHeaders, body: call.body });
        if (res.statusCode >= 300) throw new Error(`${name}: raw undici got ${res.statusCode}`);
        // The floor parses the body too: every client has to (SendGrid's 202 has none).
        const text = await res.body.text();
        if (text.length > 0) JSON.parse(text);
      };
      const paths = { raw, official: call.official, ours: call.ours };
      for (const fn of Object.values(paths)) for (let i = 0; i < (smoke ? 20 : 300); i += 1) await fn();
      for (const concurrency of [1, 16]) {
        const samples = { raw: [], official: [], ours: [] };
        for (let round = 0; round < rounds; round += 1) {
          // Alternate the order so neither path always runs right after the other.
          const order = round % 2 === 0 ? ["raw", "official", "ours"] : ["ours", "official", "raw"];
          for (const path of order) samples[path].push(await throughput(paths[path], { concurrency, durationMs }));
        }
        const m = Object.fromEntries(Object.entries(samples).map(([path, values]) => [path, median(values)]));
        rows.push({ vendor: name, operation: call.operation, concurrency, raw: m.raw, official: m.official, ours: m.ours, oursOverRaw: m.ours / m.raw, officialOverRaw: m.official / m.raw, oursOverOfficial: m.ours / m.official });
      }
      await call.close();
    } finally {
      await agent.close();
      front.stop();
    }
  }
  return { rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { smoke } = parseArgs();
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
  console.log(JSON.stringify(await benchVendors({ smoke, only }), null, 2));
  process.exit(0);
}
