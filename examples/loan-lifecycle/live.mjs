// Live mode: the environment variables that point each client at the real vendor instead of its
// fake, in one place. `node examples/loan-lifecycle/index.mjs --live` builds the clients of the
// vendors whose variables are set and runs core's checkHealth on them (one cheap authenticated
// call each); nothing else is sent. Never needed for the demo or the tests. README.md, "Live mode".
import { readFileSync } from "node:fs";
import { checkHealth, createMemoryTokenStore } from "@connect/core";
import { AUTHENTISIGN_BASE_URL, createAuthentisignClient } from "@connect/authentisign";
import { createBpoClient } from "@connect/bpo";
import { createDocuSignClient } from "@connect/docusign";
import { createQuickBooksClient } from "@connect/quickbooks";
import { createSendGridClient } from "@connect/sendgrid";
import { createTextractClient } from "@connect/textract";
import { createTwilioClient } from "@connect/twilio";

/** A PEM given inline (`-----BEGIN …`) or as a file path. */
function pem(value) {
  return value.trimStart().startsWith("-----BEGIN") ? value.replace(/\\n/g, "\n") : readFileSync(value, "utf8");
}

/** Each vendor: the variables it needs, the optional ones, and how they become client options. */
export const LIVE_VENDORS = [
  {
    vendor: "bpo",
    required: ["BPO_BASE_URL", "BPO_API_KEY"],
    create: (env) => createBpoClient({ baseUrl: env.BPO_BASE_URL, apiKey: env.BPO_API_KEY }),
  },
  {
    vendor: "textract",
    // Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role).
    required: ["AWS_REGION"],
    optional: ["TEXTRACT_SNS_TOPIC_ARN", "TEXTRACT_ROLE_ARN", "SURVEY_BUCKET"],
    create: (env) => createTextractClient({ region: env.AWS_REGION }),
  },
  {
    vendor: "docusign",
    required: ["DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_PRIVATE_KEY"],
    optional: ["DOCUSIGN_ENVIRONMENT", "DOCUSIGN_ACCOUNT_ID", "DOCUSIGN_CONNECT_HMAC_KEY"],
    create: (env) =>
      createDocuSignClient({
        auth: { integrationKey: env.DOCUSIGN_INTEGRATION_KEY, userId: env.DOCUSIGN_USER_ID, privateKey: pem(env.DOCUSIGN_PRIVATE_KEY) },
        environment: env.DOCUSIGN_ENVIRONMENT === "production" ? "production" : "demo",
        ...(env.DOCUSIGN_ACCOUNT_ID ? { accountId: env.DOCUSIGN_ACCOUNT_ID } : {}),
      }),
  },
  {
    vendor: "authentisign",
    required: ["AUTHENTISIGN_CLIENT_ID", "AUTHENTISIGN_CLIENT_SECRET"],
    optional: ["AUTHENTISIGN_BASE_URL", "AUTHENTISIGN_CALLBACK_SECRET"],
    create: (env) =>
      createAuthentisignClient({ clientId: env.AUTHENTISIGN_CLIENT_ID, clientSecret: env.AUTHENTISIGN_CLIENT_SECRET, baseUrl: env.AUTHENTISIGN_BASE_URL ?? AUTHENTISIGN_BASE_URL }),
  },
  {
    vendor: "quickbooks",
    // The realm and a refresh token come from connecting the company once (OAuth; see the quickbooks README).
    required: ["QUICKBOOKS_CLIENT_ID", "QUICKBOOKS_CLIENT_SECRET", "QUICKBOOKS_REALM_ID", "QUICKBOOKS_REFRESH_TOKEN"],
    optional: ["QUICKBOOKS_ENVIRONMENT", "QUICKBOOKS_VERIFIER_TOKEN"],
    create: async (env) => {
      const tokens = createMemoryTokenStore();
      // An expired access token with the refresh token: the first call refreshes (and stores the rotated one).
      await tokens.set(`quickbooks:${env.QUICKBOOKS_REALM_ID}`, { accessToken: "", expiresAt: 0, refreshToken: env.QUICKBOOKS_REFRESH_TOKEN });
      return createQuickBooksClient({
        realmId: env.QUICKBOOKS_REALM_ID,
        tokens,
        environment: env.QUICKBOOKS_ENVIRONMENT === "production" ? "production" : "sandbox",
        clientId: env.QUICKBOOKS_CLIENT_ID,
        clientSecret: env.QUICKBOOKS_CLIENT_SECRET,
      });
    },
  },
  {
    vendor: "sendgrid",
    required: ["SENDGRID_API_KEY"],
    optional: ["SENDGRID_FROM", "SENDGRID_TEMPLATE_ID"],
    create: (env) => createSendGridClient({ apiKey: env.SENDGRID_API_KEY }),
  },
  {
    vendor: "twilio",
    required: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"],
    optional: ["TWILIO_FROM"],
    create: (env) => createTwilioClient({ accountSid: env.TWILIO_ACCOUNT_SID, auth: { authToken: env.TWILIO_AUTH_TOKEN } }),
  },
];

/** Which vendors the environment configures, and what is missing for the others (no I/O). */
export function liveConfiguration(env = process.env) {
  return LIVE_VENDORS.map(({ vendor, required, optional = [] }) => {
    const missing = required.filter((name) => !env[name]?.trim());
    return { vendor, configured: missing.length === 0, missing, optionalSet: optional.filter((name) => env[name]?.trim()) };
  });
}

/** Build the configured vendors' real clients and check their health; prints one line per vendor. */
export async function runLiveCheck({ env = process.env, log = console.log } = {}) {
  const configuration = liveConfiguration(env);
  const clients = [];
  const refused = {};
  for (const entry of LIVE_VENDORS) {
    if (!configuration.find((c) => c.vendor === entry.vendor).configured) continue;
    try {
      clients.push(await entry.create(env));
    } catch (error) {
      refused[entry.vendor] = error.message; // e.g. a secret with a trailing newline, refused before any request
    }
  }
  log(`live check: ${clients.length} of ${LIVE_VENDORS.length} vendors configured from the environment`);
  try {
    const health = clients.length > 0 ? await checkHealth(clients, { timeoutMs: 10_000 }) : { status: "unhealthy", adapters: {} };
    for (const c of configuration) {
      const h = health.adapters[c.vendor];
      const state = h ? `${h.status} (${h.latencyMs} ms)${h.error ? `: ${h.error}` : ""}` : refused[c.vendor] ? `misconfigured: ${refused[c.vendor]}` : `not configured: set ${c.missing.join(", ")}`;
      log(`  ${c.vendor.padEnd(13)} ${state}`);
    }
    return { configuration, health, refused };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}
