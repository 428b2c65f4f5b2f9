import { serializeEventBatch } from "@connect/sendgrid/testing";

// --chaos: the vendors misbehave the way real ones do, through each fake's own fault controls
// (they answer with the vendor's real error bodies and reset after use). The host code does not
// change; the SDK absorbs it: retries with backoff, waits for Retry-After, an open breaker and
// a fallback, a dropped duplicate.

const OUTAGE = 10_000; // requests: longer than the run

/** The fault plan, one hook per step; each says what it did so the run can print it. */
export function createChaos({ log }) {
  const injected = [];
  const note = (vendor, what) => {
    injected.push({ vendor, what });
    log(`   ⚡ ${vendor}: ${what}`);
  };
  return {
    injected,
    leads(bpo) {
      bpo.failNext({ status: 503, method: "POST", path: "/api/v1/projects" });
      bpo.failNext({ status: 429, method: "POST", path: "/api/v1/projects", headers: { "retry-after": "1" } });
      note("bpo", "projects.upsert answers 503, then 429 with Retry-After: 1");
    },
    survey(textract) {
      textract.failNext("StartDocumentAnalysis", { code: "ThrottlingException", status: 400, message: "Rate exceeded" });
      textract.failNext("GetDocumentAnalysis", { code: "InternalServerError", status: 500, message: "Internal server error" });
      note("textract", "StartDocumentAnalysis throttled, GetDocumentAnalysis 500 once");
    },
    signing(esign, { primary, secondary }) {
      // The chosen provider is down: every API call answers 503 until the run ends.
      if (primary === "docusign") esign.docusign.fake.failNext({ status: 503, path: /\/restapi\//, times: OUTAGE });
      else esign.authentisign.fake.failNext({ status: 503, path: "/api/v1/", times: OUTAGE });
      note(primary, "outage: every API call answers 503");
      // The other one has a hiccup on create (it is checked before the retry uploads again).
      if (secondary === "authentisign") esign.authentisign.fake.failNext({ status: 503, method: "POST", path: "/api/v1/signings", times: 1 });
      else esign.docusign.fake.failNext({ status: 503, method: "POST", path: "/envelopes", times: 1 });
      note(secondary, "create answers 503 once; the completion callback will be delivered twice");
    },
    funding(quickbooks) {
      quickbooks.failNext({ status: 503, method: "POST", path: "/invoice" });
      quickbooks.failNext({ status: 429, method: "POST", path: "/invoice", headers: { "retry-after": "1" } });
      note("quickbooks", "invoice create answers 503, then 429 with Retry-After: 1");
    },
    notify({ sendgrid, twilio }) {
      sendgrid.rateLimitNext({ path: "/v3/mail/send" });
      twilio.rateLimitNext({ times: 2 });
      note("sendgrid", "mail send rate-limited once (429, X-RateLimit-Reset)");
      note("twilio", "message create rate-limited twice (429 / 20429)");
    },
    /** Someone replays SendGrid's signed batch with its body changed ("delivered" → "bounce"): 401, no handler runs. */
    async tamperedEventBatch(sendgrid, url, events) {
      const genuine = serializeEventBatch(events);
      const tampered = Buffer.from(genuine.toString("utf8").replaceAll('"event":"delivered"', '"event":"bounce"'), "utf8");
      const response = await sendgrid.postEvents(url, tampered, { headers: sendgrid.signer.sign(genuine) });
      await response.arrayBuffer();
      note("sendgrid", `a tampered copy of the signed event batch was posted: answered ${response.status}`);
      return response.status;
    },
  };
}
