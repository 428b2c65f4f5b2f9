// The host application: assemble every vendor, walk one loan through the platform's flow,
// print one line per step and a summary table. See README.md.
import { join } from "node:path";
import { checkHealth, createMemoryDeadLetterSink } from "@connect/core";
import { createChaos } from "./chaos.mjs";
import { createPlatform } from "./platform.mjs";
import { createReactions } from "./reactions.mjs";
import { resilienceNotes, summaryRows, summaryTable } from "./report.mjs";
import { importLeads } from "./steps/leads.mjs";
import { fundLoan } from "./steps/funding.mjs";
import { notifyBorrower } from "./steps/notify.mjs";
import { fallbacksOf, reconcile, reviewDeadLetters } from "./steps/reconcile.mjs";
import { PROVIDERS, signDocuments } from "./steps/signing.mjs";
import { analyseSurvey } from "./steps/survey.mjs";
import { createTelemetry, spanTree } from "./telemetry.mjs";
import { EMAIL_PROVIDERS, LEDGERS, startVendors } from "./vendors.mjs";
import { startWebhookServer } from "./webhooks.mjs";

export const STEPS = ["leads", "survey", "signing", "funding", "notify", "reconcile"];
const TITLES = { leads: "BPO import", survey: "Survey", signing: "Signing", funding: "Funding", notify: "Notify", reconcile: "Reconcile" };

const LOAN_NUMBER = "LN-1001";
const BORROWER = {
  name: "Ana Borrower",
  firstName: "Ana",
  email: "ana.borrower@example.com",
  phone: "(415) 555-0100",
  guarantor: { name: "Gus Guarantor", email: "gus.guarantor@example.com" },
};
const LOAN_AMOUNT_CENTS = 48_000_000;

/** Parse the command line: --chaos, --crash, --trace[=step], --esign=docusign|authentisign, --email=sendgrid|ses|mailgun, --ledger=quickbooks|xero, --out=dir, --summary-json=file, --live. */
export function parseArgs(argv) {
  const options = { chaos: false, crash: false, trace: undefined, esign: "docusign", email: "sendgrid", ledger: "quickbooks", outDir: undefined, summaryJson: undefined, live: false };
  for (const arg of argv) {
    const [name, value] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (name === "--chaos") options.chaos = true;
    else if (name === "--trace") options.trace = value ?? "signing";
    else if (name === "--esign") options.esign = value;
    else if (name === "--email") options.email = value;
    else if (name === "--ledger") options.ledger = value;
    else if (name === "--out") options.outDir = value;
    else if (name === "--summary-json") options.summaryJson = value;
    else if (name === "--live") options.live = true;
    else if (name === "--crash") options.crash = true;
    else throw new TypeError(`unknown option ${arg} (expected --chaos, --crash, --trace[=${STEPS.join("|")}], --esign=${PROVIDERS.join("|")}, --email=${EMAIL_PROVIDERS.join("|")}, --ledger=${LEDGERS.join("|")}, --out=DIR, --summary-json=FILE, --live)`);
  }
  if (!PROVIDERS.includes(options.esign)) throw new TypeError(`--esign must be ${PROVIDERS.join(" or ")}, not "${options.esign}"`);
  if (!EMAIL_PROVIDERS.includes(options.email)) throw new TypeError(`--email must be ${EMAIL_PROVIDERS.slice(0, -1).join(", ")} or ${EMAIL_PROVIDERS.at(-1)}, not "${options.email}"`);
  if (!LEDGERS.includes(options.ledger)) throw new TypeError(`--ledger must be ${LEDGERS.join(" or ")}, not "${options.ledger}"`);
  if (options.trace !== undefined && !STEPS.includes(options.trace)) throw new TypeError(`--trace takes a step: ${STEPS.join(", ")}`);
  if (options.live && options.chaos) throw new TypeError("--live checks the real vendors' health; --chaos only applies to the fakes");
  if (options.crash && (options.live || options.chaos)) throw new TypeError("--crash runs on its own (the durable flow against the fakes)");
  if (options.crash && (options.email !== "sendgrid" || options.ledger !== "quickbooks")) throw new TypeError("--crash runs the durable flow with QuickBooks and SendGrid only; --email and --ledger apply to the normal run");
  return options;
}

/** Run the whole lifecycle; returns the summary (also what --summary-json writes). */
export async function runLoanLifecycle({ chaos = false, trace, esign = "docusign", email = "sendgrid", ledger = "quickbooks", outDir = join(new URL(".", import.meta.url).pathname, "out"), log = console.log, progress } = {}) {
  const started = performance.now();
  const telemetry = createTelemetry();
  const deadLetters = createMemoryDeadLetterSink();
  const hooks = await startWebhookServer({ telemetry });
  const pending = [];
  const app = {
    telemetry,
    deadLetters,
    outDir,
    esignProvider: esign,
    emailProvider: email,
    hooksUrl: hooks.url,
    platform: createPlatform(),
    context: (step) => ({ correlationId: `${LOAN_NUMBER}:${step}`, tenantId: "acme-lending" }),
    progress: progress ?? (() => undefined),
    chaos: chaos ? createChaos({ log: (line) => pending.push(line) }) : undefined,
  };
  const vendors = await startVendors({ telemetry, deadLetters, hooks, on: createReactions(app), email, ledger });
  app.vendors = vendors;

  log(`Loan lifecycle: ${LOAN_NUMBER} through every vendor, each against its embedded fake on 127.0.0.1`);
  log(`mode: ${chaos ? "chaos (the fakes fail on purpose)" : "normal"} · e-signature: ${esign} · email: ${email} · ledger: ${ledger} · webhooks: ${hooks.url}`);
  log("");

  const results = {};
  const steps = [];
  const run = async (index, id, fn) => {
    const t0 = performance.now();
    let out;
    try {
      out = await telemetry.inSpan(`step ${id}`, { attributes: { "loan.number": LOAN_NUMBER } }, fn);
    } catch (error) {
      app.progress("");
      log(`${index}/6 ${TITLES[id].padEnd(11)} ✗ ${error?.name ?? "Error"}: ${error?.message ?? error}`);
      for (const line of pending.splice(0)) log(line);
      throw error;
    }
    const ms = Math.round(performance.now() - t0);
    app.progress("");
    log(`${index}/6 ${TITLES[id].padEnd(11)} ✓ ${out.line}  (${ms} ms)`);
    const spans = telemetry.spans();
    const root = spans.find((s) => s.name === `step ${id}`);
    const inStep = spans.filter((s) => s.startMs >= root.startMs && s.startMs <= root.startMs + root.durationMs).sort((a, b) => a.startMs - b.startMs);
    for (const line of [...pending.splice(0), ...resilienceNotes(inStep)]) log(line);
    if (trace === id) {
      log(`   span tree of step "${id}":`);
      for (const line of spanTree(spans, `step ${id}`)) log(`     ${line}`);
    }
    steps.push({ id, title: TITLES[id], line: out.line, ms });
    results[id] = out.result;
    return out;
  };

  try {
    const { loan } = await run(1, "leads", () => importLeads(app, { loanNumber: LOAN_NUMBER, borrower: BORROWER, amountCents: LOAN_AMOUNT_CENTS }));
    await run(2, "survey", () => analyseSurvey(app, loan));
    await run(3, "signing", () => signDocuments(app, loan));
    await run(4, "funding", () => fundLoan(app, loan));
    await run(5, "notify", () => notifyBorrower(app, loan));
    await run(6, "reconcile", () => reconcile(app, loan, { leads: results.leads, signing: results.signing, notify: results.notify }));

    // Health of every adapter (core's checkHealth), then what telemetry recorded, health checks included.
    const health = await checkHealth(vendors.adapters, { timeoutMs: 3_000 });
    const usage = await telemetry.usage();
    const versions = Object.fromEntries(vendors.adapters.map((a) => [a.id, a.version]));
    const rows = summaryRows({ usage, webhooks: hooks.stats, health, versions });
    const webhooks = rows.reduce((t, r) => ({ verified: t.verified + r.webhooksVerified, rejected: t.rejected + r.webhooksRejected, duplicatesDropped: t.duplicatesDropped + r.duplicatesDropped }), { verified: 0, rejected: 0, duplicatesDropped: 0 });
    const signing = results.signing;
    const fallbacks = fallbacksOf(app, { signing, notify: results.notify });
    const emails = results.reconcile.emails;
    // The final health checks ran after the review: read the sink again so every letter is listed.
    const letters = await reviewDeadLetters(app, { signing, notify: results.notify });
    const ok = results.reconcile.ok && letters.every((letter) => !letter.open);
    const durationMs = Math.round(performance.now() - started);

    log("");
    for (const line of summaryTable(rows)) log(line);
    log("");
    log(`webhooks: ${webhooks.verified} verified, ${webhooks.rejected} rejected, ${webhooks.duplicatesDropped} duplicate(s) dropped`);
    log(`fallback: ${fallbacks.length ? fallbacks.map((f) => `${f.provider} (${f.error}) → ${f.servedBy}`).join(", ") : "none"}`);
    log(`email: the borrower's draw email accepted ${emails.total}× in total (${Object.entries(emails.accepted).map(([p, n]) => `${p} ${n}`).join(", ")}) · ${emails.total === 1 ? "nothing sent twice" : "NOT EXACTLY ONCE"}`);
    log(`dead letters: ${letters.length === 0 ? "none" : `${letters.length}, ${letters.filter((l) => l.open).length} open`}`);
    for (const letter of letters) log(`   ✉ ${letter.adapterId} ${letter.operation} (${letter.error}, ${letter.attempts} attempt${letter.attempts === 1 ? "" : "s"}): ${letter.resolution}`);
    log(`health: ${health.status} · ${ok ? "nothing lost" : "SOMETHING WAS LOST: see the reconcile step and the open dead letters"} · finished in ${(durationMs / 1000).toFixed(1)} s`);

    return {
      ok,
      mode: chaos ? "chaos" : "normal",
      esign,
      email,
      ledger,
      steps,
      results,
      vendors: rows,
      webhooks,
      fallback: fallbacks.map((f) => ({ from: f.provider, to: f.servedBy, error: f.error })),
      deadLetters: letters,
      health: { status: health.status },
      injected: app.chaos?.injected ?? [],
      requests: vendors.requests(),
      durationMs,
    };
  } finally {
    await vendors.close();
    await hooks.close();
    await telemetry.close();
  }
}
