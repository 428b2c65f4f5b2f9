// `npm run demo -- --crash`: the durable part of the loan flow (survey → funding → notify, each a
// job on node:sqlite) run by a worker process that is killed with SIGKILL right after QuickBooks
// accepted the draw's invoice and before the job was acknowledged. A second worker takes the flow
// over from the database and finishes it; the summary counts every write at the vendor fakes
// (which live in this process and outlive both workers): each one exactly once.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveHandlers } from "@connect/core/testing";
import { createQuickBooksFake } from "@connect/quickbooks/testing";
import { createSendGridFake } from "@connect/sendgrid/testing";
import { createTextractFake, sampleDocuments } from "@connect/textract/testing";
import { createTwilioFake } from "@connect/twilio/testing";
import { LOAN, openFlow } from "./crash-flow.mjs";

const WORKER = new URL("./crash-worker.mjs", import.meta.url).pathname;

function worker(config) {
  const child = fork(WORKER, [], { env: { ...process.env, CRASH_FLOW: JSON.stringify(config) }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const messages = [];
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  const next = (type) => new Promise((resolve, reject) => {
    const found = messages.find((m) => m.type === type);
    if (found) return resolve(found);
    child.on("message", (m) => m.type === type && resolve(m));
    exited.then((how) => reject(new Error(`worker ${child.pid} ended (${how}) before "${type}"`)));
  });
  child.on("message", (m) => messages.push(m));
  return { child, exited, next };
}

/** Run the crash demo; returns the summary (what --summary-json writes). */
export async function runCrashDemo({ log = console.log } = {}) {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "connect-demo-crash-"));
  const textractFake = createTextractFake({ inProgressPolls: 1 });
  textractFake.putDocument("surveys", `${LOAN.number}.pdf`, sampleDocuments.SURVEY);
  const quickbooksFake = createQuickBooksFake();
  const sendgridFake = createSendGridFake({ verifiedSenders: ["@acme-lending.test"] });
  const twilioFake = createTwilioFake({ senders: ["+14155552345"] });
  const [textractApi, quickbooksApi, sendgridApi, twilioApi] = await Promise.all([textractFake, quickbooksFake, sendgridFake, twilioFake].map((f) => serveHandlers(f.handlers)));
  const { baseUrl, oauthEndpoints } = quickbooksFake.endpoints(quickbooksApi.url);
  const vendors = {
    textract: { url: textractApi.url, credentials: { accessKeyId: "AKIDEXAMPLEFAKE", secretAccessKey: "fake-secret-for-the-demo" } },
    quickbooks: { baseUrl, oauthEndpoints, clientId: quickbooksFake.clientId, clientSecret: quickbooksFake.clientSecret },
    sendgrid: { url: sendgridApi.url, apiKey: sendgridFake.apiKey },
    twilio: { url: twilioApi.url, accountSid: twilioFake.accountSid, authToken: twilioFake.authToken },
  };
  const path = join(dir, "connect.db");
  try {
    log(`Crash demo: ${LOAN.number}'s survey → funding → notify as durable jobs (node:sqlite, ${path.replace(dir, "$TMPDIR")})`);
    const producer = await openFlow({ path, vendors });
    await producer.start();
    await producer.close();
    log("   the flow is enqueued: its first job is on disk before anything runs");

    const first = worker({ path, vendors, crashAt: "funding" });
    const killedAt = await first.next("before-ack");
    first.child.kill("SIGKILL");
    const how = await first.exited;
    const invoicesAtKill = quickbooksFake.rows("Invoice").length;
    const firstDone = killedAt.events.filter((e) => e.type === "completed").map((e) => e.name);
    log(`1. worker ${first.child.pid}: ${firstDone.join(", ")} done; funding wrote QuickBooks' customer and invoice (${invoicesAtKill} invoice at the vendor) — killed with ${how} before the job was acknowledged`);

    const second = worker({ path, vendors });
    const { events } = await second.next("done");
    await second.exited;
    const resumed = events.filter((e) => e.type === "started" && e.resumed).map((e) => `${e.name} (attempt ${e.attempt})`);
    log(`2. worker ${second.child.pid}: took the flow over from the database — resumed ${resumed.join(", ") || "nothing"}; ${events.filter((e) => e.type === "completed").map((e) => e.name).join(", ")} done`);

    const writes = [
      { vendor: "textract", write: "StartDocumentAnalysis (survey)", count: textractFake.jobs.size },
      { vendor: "quickbooks", write: `Customer "${LOAN.borrower} (Loan ${LOAN.number})"`, count: quickbooksFake.rows("Customer").filter((c) => String(c.DisplayName).includes(LOAN.number)).length },
      { vendor: "quickbooks", write: `Invoice for ${LOAN.draw.id}`, count: quickbooksFake.rows("Invoice").length },
      { vendor: "sendgrid", write: "draw-paid email", count: sendgridFake.sends.length },
      { vendor: "twilio", write: "draw-paid SMS", count: twilioFake.messages.filter((m) => m.direction === "outbound-api").length },
    ];
    log("");
    log("vendor      write                                    seen by the vendor");
    log("──────────  ───────────────────────────────────────  ──────────────────");
    for (const w of writes) log(`${w.vendor.padEnd(10)}  ${w.write.padEnd(39)}  ${w.count}${w.count === 1 ? "" : "  ← NOT ONCE"}`);
    const once = writes.every((w) => w.count === 1);
    log("");
    log(`${once ? "no vendor saw a write twice, nothing was lost" : "A WRITE WAS LOST OR DUPLICATED"} · worker killed: 1 · jobs resumed: ${resumed.length} · finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { ok: once && resumed.length > 0, mode: "crash", killed: { pid: first.child.pid, signal: how, step: "funding", invoicesAtKill }, resumed, writes };
  } finally {
    await Promise.all([textractApi, quickbooksApi, sendgridApi, twilioApi].map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}
