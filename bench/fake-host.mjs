// Serves one package's fake on 127.0.0.1 in its own process, for the cold-start benchmark's
// "import + client + first call" probe: the probe process then loads only the package, not the
// fake or msw. Sends `{ options, token? }` (JSON client options, and for QuickBooks a token set
// issued through the fake's OAuth flow) to the parent over IPC; exits when the parent goes.
import { createServer, request as httpRequest } from "node:http";
import { serveHandlers } from "@connect/core/testing";

const name = process.argv[2];

async function setup() {
  switch (name) {
    case "authentisign": {
      const { createAuthentisignFake } = await import("@connect/authentisign/testing");
      const fake = createAuthentisignFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: { clientId: fake.clientId, clientSecret: fake.clientSecret, baseUrl: `${server.url}/authentisign`, tokenUrl: `${server.url}/oauth/token` } };
    }
    case "bpo": {
      const { createBpoFake } = await import("@connect/bpo/testing");
      const fake = createBpoFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: { baseUrl: server.url, apiKey: fake.apiKey } };
    }
    case "docusign": {
      const { createDocuSignFake } = await import("@connect/docusign/testing");
      const fake = createDocuSignFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: fake.clientOptions(server.url) };
    }
    case "quickbooks": {
      const { createMemoryTokenStore } = await import("@connect/core");
      const { createQuickBooksOAuth } = await import("@connect/quickbooks");
      const { createQuickBooksFake } = await import("@connect/quickbooks/testing");
      const fake = createQuickBooksFake();
      const server = await serveHandlers(fake.handlers);
      const { baseUrl, oauthEndpoints } = fake.endpoints(server.url);
      const tokens = createMemoryTokenStore();
      const redirectUri = "https://app.acme-lending.example/quickbooks/callback";
      const oauth = createQuickBooksOAuth({ clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri, tokens, endpoints: oauthEndpoints });
      await oauth.connect({ url: fake.authorize({ redirectUri, state: "bench" }), expectedState: "bench" });
      const key = `quickbooks:${fake.realmId}`;
      const token = await tokens.get(key);
      if (!token) throw new Error("fake-host: the QuickBooks OAuth flow stored no token");
      return { url: server.url, options: { realmId: fake.realmId, environment: "sandbox", clientId: fake.clientId, clientSecret: fake.clientSecret, baseUrl, oauthEndpoints }, token: { key, value: token } };
    }
    case "sendgrid": {
      const { createSendGridFake } = await import("@connect/sendgrid/testing");
      const fake = createSendGridFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: { apiKey: fake.apiKey, baseUrl: server.url } };
    }
    case "textract": {
      const { createTextractFake } = await import("@connect/textract/testing");
      const fake = createTextractFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: { region: "us-east-1", endpoint: server.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" } } };
    }
    case "twilio": {
      const { createTwilioFake } = await import("@connect/twilio/testing");
      const fake = createTwilioFake();
      const server = await serveHandlers(fake.handlers);
      return { url: server.url, options: { accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: server.url } };
    }
    default:
      throw new Error(`fake-host: no fake for ${name}`);
  }
}

/**
 * `--front`: a node:http server in front of the fake that proxies every request to it, and
 * answers a request the parent asked to record (`{ record: "<regex over 'METHOD /path'>" }`)
 * from then on with the fake's first answer to it, without touching the fake — the vendor's
 * real body at the cost of a canned one, for the per-vendor call benchmark. `{ canned }`
 * installs an answer directly (a captured vendor payload); `{ inspect: true }` answers with the
 * headers of the last request seen for each call.
 */
async function startFront(fakeUrl) {
  const recorded = new Map();
  const patterns = [];
  // The headers of the last request seen per call: the floor of the benchmark sends the same ones.
  const seen = new Map();
  const keyOf = (req) => `${req.method} ${req.url.split("?")[0]}${req.headers["x-amz-target"] ? ` ${req.headers["x-amz-target"]}` : ""}`;
  const server = createServer((req, res) => {
    const key = keyOf(req);
    seen.set(key, req.headers);
    const hit = recorded.get(key);
    if (hit) {
      req.resume();
      req.on("end", () => {
        res.writeHead(hit.status, hit.headers);
        res.end(hit.body);
      });
      return;
    }
    const upstream = httpRequest(`${fakeUrl}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks = [];
      answer.on("data", (chunk) => chunks.push(chunk));
      answer.on("end", () => {
        const body = Buffer.concat(chunks);
        const headers = { ...answer.headers, "content-length": String(body.length) };
        for (const name of ["transfer-encoding", "connection", "keep-alive"]) delete headers[name];
        const pattern = patterns.findIndex((p) => p.test(key));
        if (pattern >= 0 && answer.statusCode < 300) {
          recorded.set(key, { status: answer.statusCode, headers, body });
          patterns.splice(pattern, 1);
        }
        res.writeHead(answer.statusCode, headers);
        res.end(body);
      });
    });
    upstream.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.on("message", (message) => {
    if (message.record) patterns.push(new RegExp(message.record));
    if (message.canned) recorded.set(message.canned.key, { status: message.canned.status, headers: message.canned.headers, body: Buffer.from(message.canned.body) });
    process.send({ ack: message.id, ...(message.inspect ? { seen: Object.fromEntries(seen) } : {}) });
  });
  return `http://127.0.0.1:${server.address().port}`;
}

try {
  const result = await setup();
  if (process.argv.includes("--front")) {
    const front = await startFront(result.url);
    const rewritten = JSON.parse(JSON.stringify(result).replaceAll(result.url, front));
    process.send({ ok: true, ...rewritten, fakeUrl: result.url });
  } else process.send({ ok: true, ...result });
} catch (error) {
  process.send({ ok: false, error: String(error?.stack ?? error) });
  process.exit(1);
}
process.on("disconnect", () => process.exit(0));
