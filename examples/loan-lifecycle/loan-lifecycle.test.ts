// Runs the demo the way a newcomer does (`node examples/demo.mjs [flags]`, which `npm run demo`
// calls after the build) as a child process against the built packages, and checks what it prints
// and the summary it writes with --summary-json.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveConfiguration, parseArgs, runLiveCheck, type CrashDemoSummary, type LoanLifecycleSummary } from "./index.mjs";

const demo = fileURLToPath(new URL("../demo.mjs", import.meta.url));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "loan-lifecycle-test-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function runDemo(name: string, flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string; summary: LoanLifecycleSummary }> {
  const outDir = join(work, name);
  const summaryFile = join(work, `${name}.json`);
  const child = spawn(process.execPath, [demo, ...flags, `--out=${outDir}`, `--summary-json=${summaryFile}`], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) {
    const hint = stderr.includes("ERR_MODULE_NOT_FOUND") ? "\n(the demo runs the built packages: run `npm run build` first)" : "";
    throw new Error(`demo ${flags.join(" ")} exited ${code}${hint}\n${stdout}\n${stderr}`);
  }
  const summary = JSON.parse(await readFile(summaryFile, "utf8")) as LoanLifecycleSummary;
  return { code, stdout, stderr, summary };
}

// The default run builds SendGrid and SES (SendGrid's fallback) and QuickBooks.
const VENDORS = ["bpo", "textract", "docusign", "authentisign", "quickbooks", "sendgrid", "ses", "twilio"];
const stepLine = (lines: string[], title: string) => lines.find((l) => l.startsWith(`${title} `)) ?? "";
const retriesOf = (summary: LoanLifecycleSummary) => Object.fromEntries(summary.vendors.map((v) => [v.vendor, v.retries]));

describe("example: loan lifecycle (npm run demo)", () => {
  it("walks the whole flow against the fakes: every step succeeds, no retries, every adapter healthy", async () => {
    const { stdout, stderr, summary } = await runDemo("normal", ["--trace=funding"]);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");

    // One line per step, in order, each a success.
    expect(lines.filter((l) => /^\d\/6 /.test(l)).map((l) => l.slice(0, 15))).toEqual([
      "1/6 BPO import ",
      "2/6 Survey     ",
      "3/6 Signing    ",
      "4/6 Funding    ",
      "5/6 Notify     ",
      "6/6 Reconcile  ",
    ]);
    expect(lines.filter((l) => /^\d\/6 /.test(l)).every((l) => l.includes(" ✓ "))).toBe(true);
    expect(summary.ok).toBe(true);
    expect(summary.steps.map((s) => s.id)).toEqual(["leads", "survey", "signing", "funding", "notify", "reconcile"]);

    // 1. BPO: every valid row imported, the generator's bad rows rejected with their line, one project synced back.
    const leads = summary.results.leads;
    expect(leads.rows).toBe(2000);
    expect(leads.created).toBe(leads.expected.valid - leads.expected.duplicates);
    expect(leads.skipped).toBe(leads.expected.duplicates);
    expect(leads.rejected).toBe(leads.expected.rejected);
    expect(leads.failed).toBe(0);
    expect(leads.newLeads).toBeGreaterThan(0);
    expect(leads.bpoProject.externalId).toBe("prj-LN-1001");

    // 2. Textract: the typed survey fields of the sample survey.
    expect(summary.results.survey).toMatchObject({
      status: "SUCCEEDED",
      notificationStatus: "SUCCEEDED",
      fields: { PARCEL_NUMBER: "042-118-07", LOT_SIZE_SQFT: 10890, FLOOD_ZONE: "AE", OWNER: "Jordan Reyes", SURVEY_DATE: "2024-03-14" },
      needsReview: ["REAR_SETBACK_FT"],
    });

    // 3. DocuSign: completed by both signers, the signed PDF saved once.
    const signing = summary.results.signing;
    expect(signing).toMatchObject({ requested: "docusign", servedBy: "docusign", fellBackFrom: [], status: "completed", saves: 1, healthProbes: [{ status: "healthy", breaker: "closed" }] });
    expect(signing.signers).toEqual([
      { email: "ana.borrower@example.com", status: "signed" },
      { email: "gus.guarantor@example.com", status: "signed" },
    ]);
    expect(signing.savedTo).toBe(join(work, "normal", "LN-1001-signed-docusign.pdf"));
    const pdf = await readFile(signing.savedTo);
    expect(pdf.length).toBe(signing.bytes);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // 4. QuickBooks behind core's Ledger: the borrower's customer and the draw's invoice; its signed webhook reported both writes.
    expect(summary.ledger).toBe("quickbooks");
    expect(summary.results.funding).toMatchObject({ ledger: "quickbooks", customerCreated: true, invoice: { number: "D-draw-1", total: "12500.00", balance: "12500.00", status: "open" }, webhookStatus: 200, changes: ["customer.create", "invoice.create"] });
    expect(stepLine(lines, "4/6 Funding")).toMatch(/ ✓ QuickBooks customer \d+ "Ana Borrower \(LN-1001\)" \(created\), invoice D-draw-1 \$12,500\.00 \(open\); webhook 200 \(signature verified\), 2 changes processed {2}\(\d+ ms\)$/);

    // 5. SendGrid (core's Mailer) + Twilio: delivered, and the CONFIRM reply answered with TwiML.
    expect(summary.email).toBe("sendgrid");
    expect(stepLine(lines, "5/6 Notify")).toMatch(/ ✓ email delivered \(sendgrid [\w-]+, events verified\), SMS delivered /);
    expect(summary.results.notify).toMatchObject({
      email: { requested: "sendgrid", servedBy: "sendgrid", fellBackFrom: [], healthProbes: [{ status: "healthy", breaker: "closed" }], status: "delivered", eventsStatus: 200 },
      sms: { to: "+14155550100", segments: 1, status: "delivered", statuses: ["sent", "delivered"] },
      confirmed: true,
      replyStatus: 200,
    });
    expect(summary.results.notify.replyTwiml).toContain("<Message>Thanks Ana, we have noted your confirmation for loan LN-1001.</Message>");

    // 6. Reconciliation: QuickBooks' balance matches the platform; the email was accepted once in all; every platform check holds.
    expect(summary.results.reconcile.ledger).toEqual({ provider: "quickbooks", matched: 1, mismatched: 0, outstanding: "12500.00", openInvoices: 1, platformBalance: "12500.00" });
    expect(summary.results.reconcile.emails).toEqual({ accepted: { sendgrid: 1, ses: 0 }, total: 1 });
    expect(Object.keys(summary.results.reconcile.checks)).toEqual(["leadsImported", "surveyExtracted", "documentsSigned", "ledgerMatches", "emailDelivered", "emailSentOnce", "smsDelivered", "borrowerConfirmed"]);
    expect(Object.values(summary.results.reconcile.checks).every(Boolean)).toBe(true);

    // The summary: every vendor was called, nothing retried, no fallback, no duplicate, no dead letter.
    expect(summary.vendors.map((v) => v.vendor)).toEqual(VENDORS);
    expect(summary.vendors.every((v) => v.calls > 0)).toBe(true);
    expect(retriesOf(summary)).toEqual({ bpo: 0, textract: 0, docusign: 0, authentisign: 0, quickbooks: 0, sendgrid: 0, ses: 0, twilio: 0 });
    expect(Object.fromEntries(summary.vendors.map((v) => [v.vendor, v.webhooksVerified]))).toEqual({ bpo: 0, textract: 1, docusign: 9, authentisign: 0, quickbooks: 1, sendgrid: 1, ses: 0, twilio: 3 });
    expect(summary.webhooks).toEqual({ verified: 15, rejected: 0, duplicatesDropped: 0 });
    expect(summary.fallback).toEqual([]);
    expect(summary.deadLetters).toEqual([]);
    expect(summary.health.status).toBe("healthy");
    expect(summary.vendors.map((v) => `${v.vendor}:${v.health}:${v.breaker}`)).toEqual(VENDORS.map((v) => `${v}:healthy:closed`));

    // The printed table and closing lines say the same.
    expect(lines).toContain("webhooks: 15 verified, 0 rejected, 0 duplicate(s) dropped");
    expect(lines).toContain("fallback: none");
    expect(lines).toContain("email: the borrower's draw email accepted 1× in total (sendgrid 1, ses 0) · nothing sent twice");
    expect(lines).toContain("dead letters: none");
    expect(lines.find((l) => l.startsWith("health: "))).toMatch(/^health: healthy · nothing lost · finished in \d+\.\d s$/);
    expect(lines.find((l) => l.startsWith("vendor "))?.split(/\s{2,}/)).toEqual(["vendor", "version", "calls", "retries", "webhooks", "rejected", "dup dropped", "time in calls", "health"]);
    expect(lines.find((l) => l.startsWith("docusign "))).toMatch(/^docusign\s+\d+\.\d+\.\d+\s+\d+\s+0\s+9\s+0\s+0\s+\d+ ms\s+healthy \(breaker closed\)$/);

    // --trace=funding: the step's span tree, vendor calls nested under it, the webhook delivery after.
    const tree = lines.slice(lines.indexOf('   span tree of step "funding":') + 1).filter((l) => l.startsWith("     "));
    expect(tree[0]).toMatch(/^ {5}step funding \[internal\] \d+ ms$/);
    expect(tree).toContainEqual(expect.stringMatching(/^ {5}[├└]─ quickbooks\.customers\.create \[client\] \d+ ms, HTTP 200$/));
    expect(tree).toContainEqual(expect.stringMatching(/^ {5}[├└]─ quickbooks\.invoices\.create \[client\] \d+ ms, HTTP 200$/));
    expect(tree).toContainEqual(expect.stringMatching(/^ {5}webhook quickbooks \[server\] \d+ ms, HTTP 200$/));
  });

  it("--chaos: retries, Retry-After waits, DocuSign's and SendGrid's breakers open and fallback() sends through Authentisign and SES, the duplicate callback is dropped, nothing sent twice, nothing lost", async () => {
    const { stdout, summary } = await runDemo("chaos", ["--chaos"]);
    const lines = stdout.split("\n");
    expect(summary.ok).toBe(true);
    expect(summary.mode).toBe("chaos");

    // Every injected fault was absorbed by a retry of the same logical call.
    expect(retriesOf(summary)).toEqual({ bpo: 2, textract: 2, docusign: 2, authentisign: 1, quickbooks: 2, sendgrid: 2, ses: 1, twilio: 2 });
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ bpo\.projects\.upsert: ServerError 503, waited \d+ ms; RateLimitedError 429, waited \d+ ms → succeeded on attempt 3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ quickbooks\.invoices\.create: ServerError 503, waited \d+ ms; RateLimitedError 429, waited \d+ ms → succeeded on attempt 3$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ twilio\.messages\.send: RateLimitedError 429, waited \d+ ms; RateLimitedError 429, waited \d+ ms → succeeded on attempt 3$/));
    expect(lines).toContain("   ↻ docusign.envelopes.create: failed: CircuitOpenError (breaker open, nothing sent)");

    // The outage: two failed health probes open DocuSign's breaker; the package goes to Authentisign once.
    const signing = summary.results.signing;
    expect(signing).toMatchObject({
      requested: "docusign",
      servedBy: "authentisign",
      fellBackFrom: [{ provider: "docusign", error: "CircuitOpenError" }],
      healthProbes: [
        { status: "unhealthy", breaker: "closed" },
        { status: "unhealthy", breaker: "open" },
      ],
      status: "completed",
      saves: 1,
      duplicateDeliveryStatus: 200,
    });
    expect(summary.fallback).toEqual([
      { from: "docusign", to: "authentisign", error: "CircuitOpenError" },
      { from: "sendgrid", to: "ses", error: "CircuitOpenError" },
    ]);
    expect((await readFile(join(work, "chaos", "LN-1001-signed-authentisign.pdf"))).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(lines).toContain("fallback: docusign (CircuitOpenError) → authentisign, sendgrid (CircuitOpenError) → ses");

    // SendGrid's outage: two failed health probes open its breaker, the send is refused before any request
    // (provably nothing sent), fallback() sends through SES (throttled once, retried), and the email is accepted once in all.
    expect(summary.results.notify.email).toMatchObject({
      requested: "sendgrid",
      servedBy: "ses",
      fellBackFrom: [{ provider: "sendgrid", error: "CircuitOpenError" }],
      healthProbes: [
        { status: "unhealthy", breaker: "closed" },
        { status: "unhealthy", breaker: "open" },
      ],
      status: "delivered",
      eventsStatus: 200,
    });
    expect(stepLine(lines, "5/6 Notify")).toMatch(/ ✓ SendGrid down \(health unhealthy\/closed → unhealthy\/open\) → fallback to SES; email delivered \(ses [\w-]+, events verified\)/);
    expect(lines).toContain("   ↻ sendgrid.mail.send: failed: CircuitOpenError (breaker open, nothing sent)");
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ ses\.emails\.send: RateLimitedError 429, waited \d+ ms → succeeded on attempt 2$/));
    expect(summary.results.reconcile.emails).toEqual({ accepted: { sendgrid: 0, ses: 1 }, total: 1 });
    expect(summary.results.reconcile.checks.emailSentOnce).toBe(true);
    expect(lines).toContain("email: the borrower's draw email accepted 1× in total (sendgrid 0, ses 1) · nothing sent twice");

    // The completion callback came twice: verified both times, handled once.
    expect(summary.webhooks.duplicatesDropped).toBe(1);
    expect(summary.vendors.find((v) => v.vendor === "authentisign")).toMatchObject({ duplicatesDropped: 1, webhooksRejected: 0 });
    expect(lines).toContainEqual(expect.stringMatching(/^webhooks: \d+ verified, 1 rejected, 1 duplicate\(s\) dropped$/));

    // An SES notification changed after SNS signed it ("Delivery" → "Bounce") is refused before any handler.
    expect(summary.results.notify.tamperedBatchStatus).toBe(401);
    expect(lines).toContain("   ⚡ ses: an SNS notification tampered after signing was posted: answered 401");
    expect(summary.vendors.find((v) => v.vendor === "ses")).toMatchObject({ webhooksVerified: 2, webhooksRejected: 1 });
    expect(summary.vendors.find((v) => v.vendor === "sendgrid")).toMatchObject({ webhooksVerified: 0, webhooksRejected: 0 });
    expect(summary.webhooks.rejected).toBe(1);

    // Nothing lost: every business outcome as in a normal run; each dead letter is explained, none open.
    expect(Object.values(summary.results.reconcile.checks).every(Boolean)).toBe(true);
    expect(summary.results.funding.invoice).toMatchObject({ number: "D-draw-1", total: "12500.00" });
    expect(summary.results.notify).toMatchObject({ email: { status: "delivered" }, sms: { status: "delivered" }, confirmed: true });
    // Only the envelope and the email that the open breakers refused; the failed health probes are not work (core keeps them out).
    expect(summary.deadLetters.map((l) => [l.adapterId, l.operation, l.error, l.open, l.resolution])).toEqual([
      ["docusign", "envelopes.create", "CircuitOpenError", false, "sent through authentisign instead (fallback)"],
      ["sendgrid", "mail.send", "CircuitOpenError", false, "sent through ses instead (fallback)"],
    ]);
    expect(lines).toContain("dead letters: 2, 0 open");

    // DocuSign and SendGrid are still down at the end: their breakers are open, the rest are healthy.
    expect(summary.health.status).toBe("degraded");
    expect(summary.vendors.filter((v) => v.health !== "healthy").map((v) => [v.vendor, v.health, v.breaker])).toEqual([
      ["docusign", "unhealthy", "open"],
      ["sendgrid", "unhealthy", "open"],
    ]);
    expect(lines.find((l) => l.startsWith("health: "))).toMatch(/^health: degraded · nothing lost · finished in \d+\.\d s$/);
  });

  it("--chaos --esign=authentisign: the outage hits Authentisign and fallback() goes the other way, to DocuSign", async () => {
    const { summary } = await runDemo("chaos-authentisign", ["--chaos", "--esign=authentisign"]);
    expect(summary.ok).toBe(true);
    expect(summary.fallback).toEqual([
      { from: "authentisign", to: "docusign", error: "CircuitOpenError" },
      { from: "sendgrid", to: "ses", error: "CircuitOpenError" },
    ]);
    expect(summary.results.signing).toMatchObject({ requested: "authentisign", servedBy: "docusign", status: "completed", saves: 1, duplicateDeliveryStatus: 200 });
    expect(summary.vendors.find((v) => v.vendor === "docusign")).toMatchObject({ retries: 1, duplicatesDropped: 1 });
    expect(summary.vendors.filter((v) => v.health !== "healthy").map((v) => [v.vendor, v.breaker])).toEqual([
      ["authentisign", "open"],
      ["sendgrid", "open"],
    ]);
    expect(summary.deadLetters.every((l) => !l.open)).toBe(true);
  });

  it("--email=ses --ledger=xero (issue 23): the email through SES (SNS-signed events), the books in Xero (OAuth, tenant, x-xero-signature webhook), nothing lost", async () => {
    const { stdout, stderr, summary } = await runDemo("ses-xero", ["--email=ses", "--ledger=xero"]);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    expect(summary).toMatchObject({ ok: true, email: "ses", ledger: "xero" });
    expect(lines[1]).toMatch(/^mode: normal · e-signature: docusign · email: ses · ledger: xero · webhooks: /);

    // Funding: a Xero contact and an AUTHORISED ACCREC invoice for the draw, both reported by Xero's signed webhook.
    expect(stepLine(lines, "4/6 Funding")).toMatch(/ ✓ Xero customer [0-9a-f]{8}… "Ana Borrower" \(created\), invoice INV-0001 \$12,500\.00 \(open\); webhook 200 \(signature verified\), 2 changes processed /);
    expect(summary.results.funding).toMatchObject({ ledger: "xero", customerCreated: true, invoice: { number: "INV-0001", total: "12500.00", balance: "12500.00", status: "open" }, webhookStatus: 200, changes: ["customer.create", "invoice.create"] });
    expect(summary.results.funding.tenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // Notify: SES sent it; its Send and Delivery events came back through SNS, signature verified.
    expect(stepLine(lines, "5/6 Notify")).toMatch(/ ✓ email delivered \(ses [\w-]+, events verified\), SMS delivered /);
    expect(summary.results.notify.email).toMatchObject({ requested: "ses", servedBy: "ses", fellBackFrom: [], status: "delivered", eventsStatus: 200 });

    // Reconcile: Xero's outstanding balance is the platform's; one email accepted in all (SES 1, SendGrid 0).
    expect(summary.results.reconcile.ledger).toEqual({ provider: "xero", matched: 1, mismatched: 0, outstanding: "12500.00", openInvoices: 1, platformBalance: "12500.00" });
    expect(summary.results.reconcile.emails).toEqual({ accepted: { sendgrid: 0, ses: 1 }, total: 1 });
    expect(Object.values(summary.results.reconcile.checks).every(Boolean)).toBe(true);
    expect(stepLine(lines, "6/6 Reconcile")).toMatch(/ ✓ Xero 1 matched \/ 0 mismatched \(outstanding 12500\.00, platform 12500\.00\); borrower email accepted 1× in total \(ses 1, sendgrid 0\); platform checks 8\/8; /);

    // The table has a row for each provider built: Xero instead of QuickBooks, SES and its fallback SendGrid.
    expect(summary.vendors.map((v) => v.vendor)).toEqual(["bpo", "textract", "docusign", "authentisign", "xero", "sendgrid", "ses", "twilio"]);
    expect(summary.vendors.find((v) => v.vendor === "xero")).toMatchObject({ webhooksVerified: 1, webhooksRejected: 0, retries: 0, health: "healthy" });
    expect(summary.vendors.find((v) => v.vendor === "ses")).toMatchObject({ webhooksVerified: 2, webhooksRejected: 0, retries: 0, health: "healthy" });
    expect(lines.find((l) => l.startsWith("xero "))).toMatch(/^xero\s+\d+\.\d+\.\d+\s+\d+\s+0\s+1\s+0\s+0\s+\d+ ms\s+healthy \(breaker closed\)$/);
    expect(summary.fallback).toEqual([]);
    expect(lines).toContain("email: the borrower's draw email accepted 1× in total (ses 1, sendgrid 0) · nothing sent twice");
    expect(lines.find((l) => l.startsWith("health: "))).toMatch(/^health: healthy · nothing lost · finished in \d+\.\d s$/);
  });

  it("--email=mailgun (issue 23): the email through Mailgun, its events through signed webhooks, nothing lost", async () => {
    const { stdout, summary } = await runDemo("mailgun", ["--email=mailgun"]);
    const lines = stdout.split("\n");
    expect(summary).toMatchObject({ ok: true, email: "mailgun", ledger: "quickbooks" });
    expect(stepLine(lines, "5/6 Notify")).toMatch(/ ✓ email delivered \(mailgun [^\s,]+@acme-lending\.test, events verified\), SMS delivered /);
    expect(summary.results.notify.email).toMatchObject({ requested: "mailgun", servedBy: "mailgun", fellBackFrom: [], status: "delivered", eventsStatus: 200 });
    expect(summary.results.reconcile.emails).toEqual({ accepted: { mailgun: 1, sendgrid: 0 }, total: 1 });
    expect(summary.vendors.map((v) => v.vendor)).toEqual(["bpo", "textract", "docusign", "authentisign", "quickbooks", "sendgrid", "mailgun", "twilio"]);
    // accepted + delivered, each a signed webhook verified by the Mailgun endpoint.
    expect(summary.vendors.find((v) => v.vendor === "mailgun")).toMatchObject({ webhooksVerified: 2, webhooksRejected: 0, health: "healthy" });
    expect(lines).toContain("email: the borrower's draw email accepted 1× in total (mailgun 1, sendgrid 0) · nothing sent twice");
    expect(lines.find((l) => l.startsWith("health: "))).toMatch(/^health: healthy · nothing lost · finished in \d+\.\d s$/);
  });

  it("--chaos --email=mailgun --ledger=xero: Xero's invoice create 503 then 429 is retried under one key (one invoice), Mailgun's 429 is waited out and a forged webhook refused, no email fallback", async () => {
    const { stdout, summary } = await runDemo("chaos-mailgun-xero", ["--chaos", "--email=mailgun", "--ledger=xero"]);
    const lines = stdout.split("\n");
    expect(summary.ok).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ xero\.invoices\.create: ServerError 503, waited \d+ ms; XeroRateLimitedError 429, waited \d+ ms → succeeded on attempt 3$/));
    expect(summary.results.funding.invoice).toMatchObject({ number: "INV-0001", total: "12500.00" });
    expect(summary.results.reconcile.ledger).toMatchObject({ provider: "xero", matched: 1, openInvoices: 1 });
    expect(lines).toContainEqual(expect.stringMatching(/^ {3}↻ mailgun\.messages\.send: RateLimitedError 429, waited \d+ ms → succeeded on attempt 2$/));
    expect(lines).toContain("   ⚡ mailgun: a webhook signed with another key was posted: answered 401");
    expect(summary.vendors.find((v) => v.vendor === "mailgun")).toMatchObject({ webhooksVerified: 2, webhooksRejected: 1, retries: 1 });
    // Only the e-signature outage falls back; Mailgun was up, so the email stayed with it, once.
    expect(summary.fallback).toEqual([{ from: "docusign", to: "authentisign", error: "CircuitOpenError" }]);
    expect(summary.results.reconcile.emails).toEqual({ accepted: { mailgun: 1, sendgrid: 0 }, total: 1 });
    expect(summary.deadLetters.every((l) => !l.open)).toBe(true);
  });

  it("--crash (issue 20): the worker running the durable flow is SIGKILLed after QuickBooks accepted the invoice; a second worker resumes it and every vendor saw each write once", async () => {
    const { stdout, summary } = await runDemo("crash", ["--crash"]);
    const crash = summary as unknown as CrashDemoSummary;
    expect(crash.ok).toBe(true);
    expect(crash.killed).toMatchObject({ signal: "SIGKILL", step: "funding", invoicesAtKill: 1 });
    expect(crash.resumed).toEqual(["loan.fund (attempt 2)"]);
    expect(crash.writes.map((w) => [w.vendor, w.count])).toEqual([["textract", 1], ["quickbooks", 1], ["quickbooks", 1], ["sendgrid", 1], ["twilio", 1]]);
    const lines = stdout.split("\n");
    expect(lines.find((l) => l.startsWith("1. worker "))).toMatch(/funding wrote QuickBooks' customer and invoice \(1 invoice at the vendor\) — killed with SIGKILL before the job was acknowledged$/);
    expect(lines.find((l) => l.startsWith("no vendor saw"))).toMatch(/^no vendor saw a write twice, nothing was lost · worker killed: 1 · jobs resumed: 1 · finished in \d+\.\d s$/);
  });

  it("refuses unknown flags and bad values before starting anything", () => {
    expect(parseArgs(["--chaos", "--trace", "--esign=authentisign"])).toEqual({ chaos: true, crash: false, trace: "signing", esign: "authentisign", email: "sendgrid", ledger: "quickbooks", outDir: undefined, summaryJson: undefined, live: false });
    expect(parseArgs(["--email=mailgun", "--ledger=xero"])).toMatchObject({ email: "mailgun", ledger: "xero", esign: "docusign", chaos: false });
    expect(() => parseArgs(["--email=postmark"])).toThrow(new TypeError('--email must be sendgrid, ses or mailgun, not "postmark"'));
    expect(() => parseArgs(["--ledger=sage"])).toThrow(new TypeError('--ledger must be quickbooks or xero, not "sage"'));
    expect(() => parseArgs(["--crash", "--ledger=xero"])).toThrow(new TypeError("--crash runs the durable flow with QuickBooks and SendGrid only; --email and --ledger apply to the normal run"));
    expect(() => parseArgs(["--crash", "--chaos"])).toThrow(new TypeError("--crash runs on its own (the durable flow against the fakes)"));
    expect(() => parseArgs(["--chaso"])).toThrow(new TypeError("unknown option --chaso (expected --chaos, --crash, --trace[=leads|survey|signing|funding|notify|reconcile], --esign=docusign|authentisign, --email=sendgrid|ses|mailgun, --ledger=quickbooks|xero, --out=DIR, --summary-json=FILE, --live)"));
    expect(() => parseArgs(["--live", "--chaos"])).toThrow(new TypeError("--live checks the real vendors' health; --chaos only applies to the fakes"));
    expect(() => parseArgs(["--esign=hellosign"])).toThrow(new TypeError('--esign must be docusign or authentisign, not "hellosign"'));
    expect(() => parseArgs(["--trace=everything"])).toThrow(new TypeError("--trace takes a step: leads, survey, signing, funding, notify, reconcile"));
  });

  it("live mode: reads each vendor's credentials from the environment and says which variables are missing", async () => {
    const env = { SENDGRID_API_KEY: "SG.x.y", TWILIO_ACCOUNT_SID: "AC0123", TWILIO_AUTH_TOKEN: " ", AWS_REGION: "us-east-1", TEXTRACT_SNS_TOPIC_ARN: "arn:aws:sns:us-east-1:1:t" };
    expect(liveConfiguration(env)).toEqual([
      { vendor: "bpo", configured: false, missing: ["BPO_BASE_URL", "BPO_API_KEY"], optionalSet: [] },
      { vendor: "textract", configured: true, missing: [], optionalSet: ["TEXTRACT_SNS_TOPIC_ARN"] },
      { vendor: "docusign", configured: false, missing: ["DOCUSIGN_INTEGRATION_KEY", "DOCUSIGN_USER_ID", "DOCUSIGN_PRIVATE_KEY"], optionalSet: [] },
      { vendor: "authentisign", configured: false, missing: ["AUTHENTISIGN_CLIENT_ID", "AUTHENTISIGN_CLIENT_SECRET"], optionalSet: [] },
      { vendor: "quickbooks", configured: false, missing: ["QUICKBOOKS_CLIENT_ID", "QUICKBOOKS_CLIENT_SECRET", "QUICKBOOKS_REALM_ID", "QUICKBOOKS_REFRESH_TOKEN"], optionalSet: [] },
      { vendor: "sendgrid", configured: true, missing: [], optionalSet: [] },
      { vendor: "twilio", configured: false, missing: ["TWILIO_AUTH_TOKEN"], optionalSet: [] },
    ]);
    // With nothing configured no client is built and nothing is sent.
    const lines: string[] = [];
    const { health, refused } = await runLiveCheck({ env: {}, log: (line) => lines.push(line) });
    expect(health).toEqual({ status: "unhealthy", adapters: {} });
    expect(refused).toEqual({});
    expect(lines[0]).toBe("live check: 0 of 7 vendors configured from the environment");
    expect(lines[7]).toBe("  twilio        not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN");
  });
});
