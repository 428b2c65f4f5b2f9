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
    funding(books) {
      if (books.provider === "xero") {
        books.fake.failNext({ status: 503, method: "PUT", path: "/Invoices" });
        books.fake.failNext({ status: 429, method: "PUT", path: "/Invoices", headers: { "retry-after": "1", "x-rate-limit-problem": "minute" } });
        note("xero", "invoice create answers 503, then 429 with Retry-After: 1 (minute limit)");
        return;
      }
      books.fake.failNext({ status: 503, method: "POST", path: "/invoice" });
      books.fake.failNext({ status: 429, method: "POST", path: "/invoice", headers: { "retry-after": "1" } });
      note("quickbooks", "invoice create answers 503, then 429 with Retry-After: 1");
    },
    notify({ mail, primary, secondary, twilio }) {
      if (primary === "sendgrid") {
        // SendGrid is down: every API call answers 503 until the run ends; the email goes to SES.
        mail.sendgrid.fake.failNext({ status: 503, times: OUTAGE });
        note("sendgrid", "outage: every API call answers 503");
        throttleOnce(mail[secondary]);
      } else {
        throttleOnce(mail[primary]);
      }
      twilio.rateLimitNext({ times: 2 });
      note("twilio", "message create rate-limited twice (429 / 20429)");
    },
    /** A forged copy of the serving provider's signed delivery event is posted first: 401, no handler runs. */
    async tamperedEmailEvent(sender, messageId, to) {
      let response;
      let what;
      if (sender.provider === "sendgrid") {
        // SendGrid's signed batch replayed with its body changed ("delivered" → "bounce").
        const genuine = serializeEventBatch(sender.fake.eventsFor(messageId, [{ event: "processed" }, { event: "delivered" }]));
        const tampered = Buffer.from(genuine.toString("utf8").replaceAll('"event":"delivered"', '"event":"bounce"'), "utf8");
        response = await sender.fake.postEvents(sender.webhookUrl, tampered, { headers: sender.fake.signer.sign(genuine) });
        what = "a tampered copy of the signed event batch";
      } else if (sender.provider === "ses") {
        // An SNS notification whose signed Message was changed after signing (Delivery → Bounce).
        const envelope = sender.fake.envelope(messageId, { type: "Delivery", recipient: to });
        const forged = { ...envelope, Message: envelope.Message.replaceAll('"Delivery"', '"Bounce"') };
        response = await fetch(sender.webhookUrl, { method: "POST", headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" }, body: JSON.stringify(forged) });
        what = "an SNS notification tampered after signing";
      } else {
        // A Mailgun webhook signed with a key that is not the account's webhook signing key.
        const delivered = sender.fake.eventsFor(messageId).find((e) => e.event === "delivered");
        response = await sender.fake.deliverWebhook(sender.webhookUrl, delivered, { signingKey: "not-the-webhook-signing-key" });
        what = "a webhook signed with another key";
      }
      await response.arrayBuffer();
      note(sender.provider, `${what} was posted: answered ${response.status}`);
      return response.status;
    },
  };

  /** The email provider that will send is throttled once (provably nothing sent: retried). */
  function throttleOnce(provider) {
    if (provider.provider === "ses") {
      provider.fake.failNext("SendEmail", { code: "TooManyRequestsException", status: 429, message: "Maximum sending rate exceeded." });
      note("ses", "SendEmail throttled once (429 TooManyRequestsException)");
    } else if (provider.provider === "mailgun") {
      provider.fake.rateLimitNext({ retryAfterSeconds: 1, path: `/v3/${provider.fake.domainName}/messages` });
      note("mailgun", "message send rate-limited once (429, Retry-After: 1)");
    } else {
      provider.fake.rateLimitNext({ path: "/v3/mail/send" });
      note("sendgrid", "mail send rate-limited once (429, X-RateLimit-Reset)");
    }
  }
}
