// `npm run demo`: runs the examples against the embedded vendor fakes (no accounts, no network
// beyond 127.0.0.1). By default the whole-platform example, loan-lifecycle; name examples to run
// those instead, or --all for every one. Other flags go to each example:
//   npm run demo                          # loan-lifecycle
//   npm run demo -- --chaos               # the fakes fail on purpose; the summary shows the SDK absorbing it
//   npm run demo -- --trace               # plus the span tree of one step (--trace=funding …)
//   npm run demo -- --email=ses --ledger=xero   # the email through SES, the books in Xero
//   npm run demo -- twilio-reminder       # one package's own example
//   npm run demo -- --all                 # every example, one after another
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const order = ["loan-lifecycle", "bpo-nightly-import", "textract-survey", "esign-either", "docusign-loan-signing", "quickbooks-servicing", "sendgrid-draw-approved", "twilio-reminder"];
const available = readdirSync(here).filter((name) => existsSync(join(here, name, "index.mjs")));
const args = process.argv.slice(2);
const names = args.filter((arg) => !arg.startsWith("--"));
const flags = args.filter((arg) => arg.startsWith("--") && arg !== "--all");

const unknown = names.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`demo: no example named ${unknown.join(", ")} (available: ${available.join(", ")})`);
  process.exit(2);
}
const everything = [...order.filter((name) => available.includes(name)), ...available.filter((name) => !order.includes(name)).sort()];
const chosen = names.length > 0 ? names : args.includes("--all") ? everything : available.includes("loan-lifecycle") ? ["loan-lifecycle"] : everything;
if (chosen.length === 0) {
  console.error("demo: no examples found under examples/");
  process.exit(1);
}

let failed = 0;
for (const name of chosen) {
  if (chosen.length > 1) console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [join(here, name, "index.mjs"), ...flags], { stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    if (chosen.length > 1) console.log(`=== ${name} failed (exit ${result.status ?? result.signal}) ===`);
  }
}
process.exit(failed === 0 ? 0 : 1);
