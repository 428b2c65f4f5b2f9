// The same loan package through either e-signature provider, chosen by configuration:
//   ESIGN_PROVIDER=docusign|authentisign node examples/esign-either/index.mjs
// The host codes against core's ESignatureProvider only. Both providers run against their
// embedded fakes on 127.0.0.1; signers are driven through the fake, the provider's signed
// callback is verified, and the signed PDF is saved. With ESIGN_OUTAGE=1 the chosen provider is
// down: its circuit breaker opens and core's fallback() routes the package to the other one.
// Runs offline: `npm run build && ESIGN_PROVIDER=authentisign node examples/esign-either/index.mjs`.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { CircuitOpenError, fallback } from "@connect/core";
import { loanPackage } from "./loan-package.mjs";
import { PROVIDERS, startProvider } from "./providers.mjs";

/** Which provider the environment asks for (default docusign); anything else is an error. */
export function providerFromEnv(env = process.env) {
  const name = (env.ESIGN_PROVIDER ?? "docusign").trim().toLowerCase();
  if (!PROVIDERS.includes(name)) throw new TypeError(`ESIGN_PROVIDER must be ${PROVIDERS.join(" or ")}, not "${env.ESIGN_PROVIDER}"`);
  return name;
}

/** Probe the provider until its breaker reports open (the outage has been noticed). */
async function waitForOpenBreaker(fixture, log) {
  for (let probe = 1; probe <= 10; probe += 1) {
    const health = await fixture.provider.healthCheck();
    log(`${fixture.name} health probe ${probe}: ${health.status}${health.breaker ? ` (breaker ${health.breaker})` : ""}`);
    if (health.breaker === "open") return health;
  }
  throw new Error(`${fixture.name}: the breaker did not open`);
}

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runLoanSigning({ provider = providerFromEnv(), outage = process.env.ESIGN_OUTAGE === "1", outDir = join(tmpdir(), "esign-either"), log = console.log } = {}) {
  if (!PROVIDERS.includes(provider)) throw new TypeError(`provider must be ${PROVIDERS.join(" or ")}, not "${provider}"`);
  const other = PROVIDERS.find((name) => name !== provider);
  const fixtures = { [provider]: await startProvider(provider), [other]: await startProvider(other) };
  try {
    const primary = fixtures[provider];
    if (outage) {
      primary.outage();
      await waitForOpenBreaker(primary, log);
    }

    // 1. Send the package: the chosen provider first; the other only if the first one's breaker is
    //    open (CircuitOpenError: provably nothing was sent). Any other failure is surfaced, so a
    //    package is never sent twice.
    const pkg = loanPackage();
    const { value: receipt, servedBy, failures } = await fallback(
      [provider, other].map((name) => ({ name, run: () => fixtures[name].provider.sendForSignature(pkg, { idempotencyKey: `loan-LN-1001-closing:${name}` }) })),
      { shouldFallback: (error) => error instanceof CircuitOpenError },
    );
    for (const failure of failures) log(`${failure.provider} unavailable: ${failure.error.name} — falling back`);
    const fixture = fixtures[servedBy];
    log(`sent "${pkg.subject}" via ${servedBy}: ${receipt.id} (${receipt.status})`);

    // 2. The signers sign (through the vendor's fake); the signed callback comes back verified.
    await fixture.completeAll(receipt.id);
    const completed = await fixture.waitForEvent((e) => e.signatureId === receipt.id && e.type === "completed");
    const events = fixture.events.filter((e) => e.signatureId === receipt.id);
    for (const e of events) log(`event ${e.type}${e.recipient ? ` ${e.recipient.email}` : ""}`);

    // 3. Read the status back and save the signed PDF (streamed to disk).
    const status = await fixture.provider.getStatus(receipt.id);
    const signed = await fixture.provider.downloadSigned(receipt.id);
    await mkdir(outDir, { recursive: true });
    const savedTo = join(outDir, `${servedBy}-${receipt.id}.pdf`);
    await pipeline(signed.body, createWriteStream(savedTo));
    log(`${status.status}: saved the signed package to ${savedTo}`);

    return {
      requested: provider,
      servedBy,
      fellBackFrom: failures.map((f) => ({ provider: f.provider, error: f.error.name })),
      receipt,
      status: status.status,
      recipients: status.recipients.map((r) => ({ email: r.email, order: r.order, role: r.role, status: r.status })),
      events: events.map((e) => ({ type: e.type, email: e.recipient?.email })),
      completedAt: completed.occurredAt,
      savedTo,
    };
  } finally {
    await Promise.all(Object.values(fixtures).map((f) => f.close()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runLoanSigning();
}
