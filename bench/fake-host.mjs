// Serves one package's fake on 127.0.0.1 in its own process, for the cold-start benchmark's
// "import + client + first call" probe: the probe process then loads only the package, not the
// fake or msw. Sends `{ options, token? }` (JSON client options, and for QuickBooks a token set
// issued through the fake's OAuth flow) to the parent over IPC; exits when the parent goes.
import { serveHandlers } from "@connect/core/testing";

const name = process.argv[2];

async function setup() {
  switch (name) {
    case "authentisign": {
      const { createAuthentisignFake } = await import("@connect/authentisign/testing");
      const fake = createAuthentisignFake();
      const server = await serveHandlers(fake.handlers);
      return { options: { clientId: fake.clientId, clientSecret: fake.clientSecret, baseUrl: `${server.url}/authentisign`, tokenUrl: `${server.url}/oauth/token` } };
    }
    case "bpo": {
      const { createBpoFake } = await import("@connect/bpo/testing");
      const fake = createBpoFake();
      const server = await serveHandlers(fake.handlers);
      return { options: { baseUrl: server.url, apiKey: fake.apiKey } };
    }
    case "docusign": {
      const { createDocuSignFake } = await import("@connect/docusign/testing");
      const fake = createDocuSignFake();
      const server = await serveHandlers(fake.handlers);
      return { options: fake.clientOptions(server.url) };
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
      return { options: { realmId: fake.realmId, environment: "sandbox", clientId: fake.clientId, clientSecret: fake.clientSecret, baseUrl, oauthEndpoints }, token: { key, value: token } };
    }
    case "sendgrid": {
      const { createSendGridFake } = await import("@connect/sendgrid/testing");
      const fake = createSendGridFake();
      const server = await serveHandlers(fake.handlers);
      return { options: { apiKey: fake.apiKey, baseUrl: server.url } };
    }
    case "textract": {
      const { createTextractFake } = await import("@connect/textract/testing");
      const fake = createTextractFake();
      const server = await serveHandlers(fake.handlers);
      return { options: { region: "us-east-1", endpoint: server.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" } } };
    }
    case "twilio": {
      const { createTwilioFake } = await import("@connect/twilio/testing");
      const fake = createTwilioFake();
      const server = await serveHandlers(fake.handlers);
      return { options: { accountSid: fake.accountSid, auth: { authToken: fake.authToken }, baseUrl: server.url } };
    }
    default:
      throw new Error(`fake-host: no fake for ${name}`);
  }
}

try {
  process.send({ ok: true, ...(await setup()) });
} catch (error) {
  process.send({ ok: false, error: String(error?.stack ?? error) });
  process.exit(1);
}
process.on("disconnect", () => process.exit(0));
