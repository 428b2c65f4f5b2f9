// `npm run demo`: runs each example against the embedded vendor fakes, one after another.
// No accounts, no network beyond 127.0.0.1.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const order = ["loan-lifecycle", "bpo-nightly-import", "textract-survey", "docusign-loan-signing", "quickbooks-servicing", "sendgrid-draw-approved", "twilio-reminder"];
const available = readdirSync(here).filter((name) => existsSync(join(here, name, "index.mjs")));
const chosen = available.includes("loan-lifecycle") ? ["loan-lifecycle"] : order.filter((name) => available.includes(name));
if (chosen.length === 0) {
  console.error("demo: no examples found under examples/");
  process.exit(1);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [join(here, name, "index.mjs")], { stdio: "inherit" });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
