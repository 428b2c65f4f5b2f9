/** Textract: analyses.start (keyed: ClientRequestToken; Textract returns the same JobId for a repeat). */
import { TextractClient } from "@aws-sdk/client-textract";
import { serveHandlers, scripted } from "@connect/core/testing";
import { createTextractClient, type TextractClientInstance } from "@connect/textract";
import { createTextractFake, sampleDocuments } from "@connect/textract/testing";
import { HttpResponse } from "msw";
import { FAST_POLICY } from "../harness.js";
import type { ClientOverrides, Expectation, FaultId, Kit, KitOptions, WriteOp } from "./types.js";

/** Start the Textract fake and describe its write. */
export async function textractKit(options: KitOptions = {}): Promise<Kit> {
  const tag = options.secretTag ?? "0";
  const credentials = { accessKeyId: "AKIDRELIABILITY0000", secretAccessKey: `textract-secret-access-key-SECRET-${tag}`, sessionToken: `textract-session-token-SECRET-${tag}` };
  const fake = createTextractFake({ inProgressPolls: 0 });
  const server = await serveHandlers(fake.handlers);
  const tx = (c: unknown): TextractClientInstance => c as TextractClientInstance;

  const client = (o: ClientOverrides = {}): TextractClientInstance =>
    createTextractClient({
      region: "us-east-1",
      // Static credentials through the client's own option (it registers them for redaction). For a
      // connect timeout the host's own SDK client sets the socket's connection timeout: core's
      // transport options do not reach the AWS SDK.
      ...(o.apiBaseUrl
        ? { sdkClient: new TextractClient({ region: "us-east-1", endpoint: o.apiBaseUrl, credentials, maxAttempts: 1, requestHandler: { connectionTimeout: o.transport?.connectTimeoutMs ?? 2_000 } }) }
        : { endpoint: server.url, credentials }),
      policy: o.policy ?? FAST_POLICY,
      telemetry: o.telemetry,
      deadLetters: o.deadLetters,
      drift: o.drift,
    });

  let n = 0;
  const start: WriteOp = {
    id: "analyses.start",
    safety: "keyed",
    route: { method: "post", path: "*/", match: /^\/$/, header: ["x-amz-target", "Textract.StartDocumentAnalysis"] },
    vendorKey: (r) => (JSON.parse(r.text) as { ClientRequestToken?: string }).ClientRequestToken,
    prepare: async () => {
      const name = `surveys/lot-${(n += 1)}.pdf`;
      fake.putDocument("in-bucket", name, sampleDocuments.SURVEY);
      return name;
    },
    call: (c, name, ctx) => tx(c).analyses.start({ document: { bucket: "in-bucket", name: name as string }, features: ["FORMS"], documentType: "SURVEY" }, ctx),
    effects: (name) => [...fake.jobs.values()].filter((j) => j.location.name === name).length,
    schemaViolation: () => HttpResponse.json({ JobId: 42 }, { headers: { "content-type": "application/x-amz-json-1.1" } }),
  };

  return {
    vendor: "textract",
    server,
    handlers: fake.handlers,
    client,
    writes: [start],
    expireAuth(op) {
      // How AWS refuses an expired session token (400 ExpiredTokenException), once.
      const expired = () =>
        HttpResponse.json({ __type: "ExpiredTokenException", message: "The security token included in the request is expired" }, { status: 400, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ExpiredTokenException" } });
      server.use(scripted(op.route.method, op.route.path, [expired]).handler);
    },
    expect(fault: FaultId, _op: WriteOp, base: Expectation): Expectation {
      if (fault === "401 expired token") {
        return { outcome: "error", requests: 1, error: "AuthError", attempts: 1, deadLetter: false, note: "AWS credentials: the SDK's provider refreshes by expiry; a refused token is AuthError" };
      }
      if (fault === "429 + Retry-After") return { ...base, ignoresRetryAfter: true, note: "AWS throttling carries no Retry-After; backoff" };
      if (fault === "malformed body") {
        // Safe to repeat: the ClientRequestToken makes a second start return the same job.
        return { outcome: "error", requests: 1, error: "IntegrationError", attempts: 1, deadLetter: false, note: "the AWS SDK's parse error, typed by mapTextractError; a repeat is keyed" };
      }
      return base;
    },
    secrets: () => [credentials.secretAccessKey, credentials.sessionToken],
    async reset() {
      await fake.settled();
      server.resetHandlers();
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}
