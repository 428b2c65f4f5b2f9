// Loan lifecycle: one host application that assembles every @connect package and walks a loan
// through the platform's flow — BPO import → Textract survey → e-signature → ledger (QuickBooks
// or Xero) → email (SendGrid, SES or Mailgun) + Twilio → reconciliation — against the embedded
// vendor fakes on 127.0.0.1.
//   npm run build && node examples/loan-lifecycle/index.mjs [--chaos] [--trace[=step]] [--esign=authentisign] [--email=ses|mailgun] [--ledger=xero]
//   node examples/loan-lifecycle/index.mjs --crash  # the durable flow's worker is SIGKILLed mid-way; another finishes it
//   node examples/loan-lifecycle/index.mjs --live   # health of the real vendors configured in the environment (README)
// (`npm run demo` does the same; `npm run demo -- --chaos` passes the flags through.)
import { writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs, runLoanLifecycle, STEPS } from "./lifecycle.mjs";
import { runCrashDemo } from "./crash.mjs";
import { liveConfiguration, runLiveCheck } from "./live.mjs";

export { liveConfiguration, parseArgs, runCrashDemo, runLiveCheck, runLoanLifecycle, STEPS };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`loan-lifecycle: ${error.message}`);
    process.exit(2);
  }
  if (options.crash) {
    const summary = await runCrashDemo();
    if (options.summaryJson) await writeFile(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    process.exit(summary.ok ? 0 : 1);
  }
  if (options.live) {
    const { health } = await runLiveCheck();
    process.exit(health.status === "unhealthy" ? 1 : 0);
  }
  // Progress of the long steps rewrites one line on a terminal; piped output gets the step lines only.
  const progress = process.stdout.isTTY ? (text) => process.stdout.write(text ? `\r\x1b[K   … ${text}` : "\r\x1b[K") : undefined;
  const summary = await runLoanLifecycle({ ...options, progress });
  if (options.summaryJson) await writeFile(options.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
  process.exitCode = summary.ok ? 0 : 1;
}
