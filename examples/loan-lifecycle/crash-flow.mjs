// The durable part of the loan flow, as jobs on the embedded node:sqlite backend: survey
// (a Textract analysis: start, poll, complete) → funding (the QuickBooks customer and the draw's
// invoice, keyed by the loan) → notify (the SendGrid email and the Twilio SMS, unsafe writes
// guarded by the durable idempotency store). Each step enqueues the next, so the flow is on disk
// at every moment; `npm run demo -- --crash` kills the worker running it and starts another.
import { createQuickBooksClient, createQuickBooksOAuth } from "@connect/quickbooks";
import { createSendGridClient } from "@connect/sendgrid";
import { createTextractClient } from "@connect/textract";
import { createDurableAnalysis } from "@connect/textract/jobs";
import { createTwilioClient } from "@connect/twilio";
import { createMemoryTokenStore } from "@connect/core";
import { createJobQueue, createSqliteBackend, defineJob } from "@connect/jobs";
import { z } from "zod";

export const LOAN = { number: "LN-1001", borrower: "Ana Borrower", email: "ana.borrower@example.com", phone: "+14155550100", draw: { id: "draw-1", cents: 1_250_000 } };
const FAST = { retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 50, jitter: false } };
const REDIRECT_URI = "https://lender.example/quickbooks/callback";

/** Connect QuickBooks the way a host does once (consent → callback), then build every client. */
async function clients(vendors, backend) {
  const tokens = createMemoryTokenStore();
  const oauth = createQuickBooksOAuth({ clientId: vendors.quickbooks.clientId, clientSecret: vendors.quickbooks.clientSecret, redirectUri: REDIRECT_URI, tokens, endpoints: vendors.quickbooks.oauthEndpoints });
  const { url, state } = oauth.authorizationUrl();
  const consent = await fetch(url, { redirect: "manual" });
  const { realmId } = await oauth.connect({ url: consent.headers.get("location"), expectedState: state });
  return {
    oauth,
    textract: createTextractClient({ region: "us-east-1", endpoint: vendors.textract.url, credentials: vendors.textract.credentials, policy: FAST }),
    quickbooks: createQuickBooksClient({ realmId, tokens, oauth, environment: "sandbox", baseUrl: vendors.quickbooks.baseUrl, oauthEndpoints: vendors.quickbooks.oauthEndpoints, servicing: { accounts: { receivable: "1", payoffClearing: "45" } }, policy: FAST }),
    // No vendor key for these two: the key claimed before a send lives in the same file as the jobs.
    sendgrid: createSendGridClient({ apiKey: vendors.sendgrid.apiKey, baseUrl: vendors.sendgrid.url, policy: FAST, idempotencyStore: backend.idempotencyStore }),
    twilio: createTwilioClient({ accountSid: vendors.twilio.accountSid, auth: { authToken: vendors.twilio.authToken }, baseUrl: vendors.twilio.url, policy: FAST, idempotencyStore: backend.idempotencyStore }),
  };
}

/**
 * Open the queue on `path` with the flow's jobs. `hooks.beforeAck(step)` runs after a step's
 * vendor writes returned and before its job is acknowledged (where the demo's crash strikes).
 */
export async function openFlow({ path, vendors, hooks = {} }) {
  const backend = createSqliteBackend({ path, pollMs: 20 });
  const c = await clients(vendors, backend);
  const events = [];
  const retry = { minDelayMs: 50, maxDelayMs: 200, jitter: false };

  const notify = defineJob({
    name: "loan.notify",
    payload: z.object({ loan: z.string(), invoice: z.string() }),
    leaseMs: 1_000,
    retry,
    handler: async ({ loan, invoice }, ctx) => {
      await c.sendgrid.mail.send(
        { from: { email: "draws@acme-lending.test" }, personalizations: [{ to: [{ email: LOAN.email }] }], subject: `Draw 1 on ${loan} is paid (invoice ${invoice})`, content: [{ type: "text/plain", value: "Your first draw has been disbursed." }] },
        { ...ctx, idempotencyKey: ctx.keyFor("email") },
      );
      await c.twilio.messages.send({ to: LOAN.phone, from: "+14155552345", body: `Acme Lending: draw 1 on ${loan} is paid (invoice ${invoice}).` }, { ...ctx, idempotencyKey: ctx.keyFor("sms") });
      await hooks.beforeAck?.("notify");
    },
  });
  const funding = defineJob({
    name: "loan.fund",
    payload: z.object({ loan: z.string(), parcel: z.string().optional() }),
    leaseMs: 1_000,
    retry,
    handler: async ({ loan, parcel }, ctx) => {
      // Keyed by the loan and the draw: after a crash QuickBooks answers the repeat with the first result.
      const { customer } = await c.quickbooks.servicing.loanFunded({ loanId: loan, borrowerName: LOAN.borrower, email: LOAN.email }, { ...ctx, idempotencyKey: ctx.keyFor("customer") });
      const invoice = await c.quickbooks.servicing.drawDisbursed(
        { loanId: loan, drawId: LOAN.draw.id, customerId: customer.Id, amount: { cents: LOAN.draw.cents }, description: `Draw 1: foundation${parcel ? ` (parcel ${parcel})` : ""}`, dueDate: "2024-07-05" },
        { ...ctx, idempotencyKey: ctx.keyFor("invoice") },
      );
      await hooks.beforeAck?.("funding");
      await ctx.enqueue(notify, { loan, invoice: invoice.DocNumber }, { jobId: `notify:${loan}` });
    },
  });
  const survey = createDurableAnalysis({
    textract: c.textract,
    pollAfterMs: 30,
    maxPollDelayMs: 60,
    onResult: async (result, ctx) => {
      const parcel = result.extraction?.fields?.PARCEL_NUMBER?.value;
      await ctx.enqueue(funding, { loan: result.ref, ...(typeof parcel === "string" ? { parcel } : {}) }, { jobId: `fund:${result.ref}` });
    },
  });
  const queue = createJobQueue({ name: "loan-flow", backend, jobs: [...survey.jobs, funding, notify], onEvent: (event) => events.push(event) });
  return {
    queue,
    events,
    start: () => queue.enqueue(survey.start, { ref: LOAN.number, document: { bucket: "surveys", name: `${LOAN.number}.pdf` }, features: ["FORMS", "QUERIES"], documentType: "SURVEY" }, { jobId: `survey:${LOAN.number}` }),
    async close() {
      await queue.close();
      await Promise.all([c.textract.close(), c.quickbooks.close(), c.sendgrid.close(), c.twilio.close(), c.oauth.close()]);
      await backend.close();
    },
  };
}
