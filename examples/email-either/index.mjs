// The same "draw approved" email through SendGrid, AWS SES or Mailgun, chosen by configuration:
//   EMAIL_PROVIDER=sendgrid|ses|mailgun node examples/email-either/index.mjs
// The host codes against core's `Mailer` only. Each provider runs against its embedded fake on
// 127.0.0.1; its delivery events arrive at the provider's verified webhook receiver and are
// normalised to core's MailEvent vocabulary. With EMAIL_OUTAGE=1 the chosen provider is down: its
// circuit breaker opens and core's fallback() sends the email through the backup (SendGrid → SES),
// once — the counts at both fakes show it.
// Runs offline: `npm run build && EMAIL_PROVIDER=ses node examples/email-either/index.mjs`.
import { pathToFileURL } from "node:url";
import { fallback } from "@connect/core";
import { PROVIDERS, startProvider } from "./providers.mjs";

/** The provider that takes over when the chosen one is down. */
export const BACKUP = { sendgrid: "ses", ses: "sendgrid", mailgun: "ses" };

const BORROWER = "ana.borrower@example.com";
const BUILDER = "builder@unknown-domain.example";

/** Which provider the environment asks for (default sendgrid); anything else is an error. */
export function providerFromEnv(env = process.env) {
  const name = (env.EMAIL_PROVIDER ?? "sendgrid").trim().toLowerCase();
  if (!PROVIDERS.includes(name)) throw new TypeError(`EMAIL_PROVIDER must be ${PROVIDERS.join(", ")}, not "${env.EMAIL_PROVIDER}"`);
  return name;
}

/** The provider-neutral message: the same object whichever provider sends it. */
export function drawApprovedMessage(from) {
  return {
    from,
    to: [{ email: BORROWER, name: "Ana Borrower" }, BUILDER],
    subject: "Draw 3 approved: $12,500.00 for 14 Elm St",
    text: "Hello Ana,\n\ndraw 3 of loan LN-1001 ($12,500.00, 14 Elm St) is approved; the funds go out today.\n\nAcme Lending Draws\n",
    html: "<p>Hello Ana,</p><p>draw 3 of loan LN-1001 (<b>$12,500.00</b>, 14 Elm St) is approved; the funds go out today.</p><p>Acme Lending Draws</p>",
    tags: ["draw-approved"],
    customArgs: { loan_id: "LN-1001", draw_id: "draw_3" },
  };
}

/** Probe the provider until its breaker reports open (the outage has been noticed). */
async function waitForOpenBreaker(fixture, log) {
  for (let probe = 1; probe <= 10; probe += 1) {
    const health = await fixture.mailer.healthCheck();
    log(`${fixture.name} health probe ${probe}: ${health.status}${health.breaker ? ` (breaker ${health.breaker})` : ""}`);
    if (health.breaker === "open") return;
  }
  throw new Error(`${fixture.name}: the breaker did not open`);
}

const describeEvent = (e) => `${e.type.padEnd(9)} ${e.email}${e.bounce ? ` (${e.bounce.kind} bounce)` : ""} · loan ${e.customArgs?.loan_id ?? "?"} ${e.customArgs?.draw_id ?? "?"}`;

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runEmail({ provider = providerFromEnv(), outage = process.env.EMAIL_OUTAGE === "1", log = console.log } = {}) {
  if (!PROVIDERS.includes(provider)) throw new TypeError(`provider must be ${PROVIDERS.join(", ")}, not "${provider}"`);
  const backup = BACKUP[provider];
  const fixtures = { [provider]: await startProvider(provider), [backup]: await startProvider(backup) };
  try {
    if (outage) {
      fixtures[provider].outage();
      await waitForOpenBreaker(fixtures[provider], log);
    }

    // 1. Send: the chosen provider first, the backup only when the first one provably sent nothing
    //    (core's default rule: an open breaker, a refused connection, a 429). After a 5xx or a
    //    timeout the email may have gone out, so the error is surfaced instead of sending it twice.
    const idempotencyKey = "loan-LN-1001:draw_3:approved";
    const send = () =>
      fallback([provider, backup].map((name) => ({ name, run: () => fixtures[name].mailer.send(drawApprovedMessage(fixtures[name].from), { idempotencyKey }) })));
    const { value: receipt, servedBy, failures } = await send();
    for (const failure of failures) log(`${failure.provider} unavailable: ${failure.error.name} — falling back to ${servedBy}`);
    log(`sent "draw approved" via ${servedBy}: message ${receipt.messageId}`);

    // 2. A retry of the same logical send (the host's job ran again): same key, nothing sent again.
    const again = outage ? await send() : undefined;
    if (again) log(`the same send again (key ${idempotencyKey}): ${again.value.messageId === receipt.messageId ? "the first receipt, nothing sent" : `a new message ${again.value.messageId}`}`);

    // 3. The provider reports back through its signed webhook: delivered to the borrower, a hard
    //    bounce from the builder's domain. Its receiver verifies; the Mailer normalises.
    const fixture = fixtures[servedBy];
    const events = [];
    const webhookStatuses = [];
    for (const [kind, email] of [["delivered", BORROWER], ["bounced", BUILDER]]) {
      const { status, events: native } = await fixture.report(kind, receipt.messageId, email);
      webhookStatuses.push(status);
      events.push(...fixture.mailer.toMailEvents(native).filter((e) => e.email === email));
    }
    log(`${servedBy} webhook answered ${webhookStatuses.join(", ")} (verified)`);
    for (const e of events) log(`event ${describeEvent(e)}`);

    // 4. What each fake holds: the email was accepted exactly once, by one provider.
    const counts = Object.fromEntries(Object.values(fixtures).map((f) => [f.name, { accepted: f.accepted(), sendRequests: f.sendRequests() }]));
    log(`accepted: ${Object.entries(counts).map(([name, c]) => `${name} ${c.accepted} (send requests ${c.sendRequests})`).join(", ")}`);

    return {
      requested: provider,
      servedBy,
      fellBackFrom: failures.map((f) => ({ provider: f.provider, error: f.error.name })),
      receipt,
      repeated: again?.value,
      webhookStatuses,
      events: events.map((e) => ({ provider: e.provider, type: e.type, email: e.email, messageId: e.messageId, bounce: e.bounce?.kind, customArgs: e.customArgs })),
      counts,
    };
  } finally {
    await Promise.all(Object.values(fixtures).map((f) => f.close()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEmail();
}
