/**
 * Event Webhook events as SendGrid would generate them for a recorded send: common fields,
 * `sg_message_id` starting with the send's X-Message-Id, custom args flattened to top-level
 * keys, per-type fields (shared/vendors/sendgrid.md §5) — and the suppression rows SendGrid
 * would add for bounces, blocks, spam reports and unsubscribes.
 */
import { randomBytes } from "node:crypto";
import type { FakeEventSpec, FakeSuppressions, RecordedSend } from "./fake.js";

/** Build events for `send`; a bounce/spamreport/unsubscribe also lands in `suppressions`. @internal */
export function buildEvents(send: RecordedSend, specs: FakeEventSpec[], options: { nowSeconds: number; suppressions: FakeSuppressions }): Array<Record<string, unknown>> {
  return specs.map((spec) => {
    const { event, email: chosen, personalization = 0, ...overrides } = typeof spec === "string" ? { event: spec } : spec;
    const p = send.body.personalizations[personalization];
    if (!p) throw new Error(`createSendGridFake: the send has no personalization ${personalization}`);
    const email = chosen ?? p.to[0]!.email;
    const customArgs = { ...(send.body.custom_args as Record<string, string> | undefined), ...(p.custom_args as Record<string, string> | undefined) };
    const created = options.nowSeconds;
    const defaults: Record<string, Record<string, unknown>> = {
      processed: {},
      delivered: { response: "250 2.0.0 OK", ip: "149.72.0.1", tls: 1 },
      deferred: { response: "421 4.7.0 try again later", attempt: "1", ip: "149.72.0.1" },
      dropped: { reason: "Bounced Address", status: "5.0.0" },
      bounce: { reason: "550 5.1.1 The email account that you tried to reach does not exist.", status: "5.1.1", type: "bounce", ip: "149.72.0.1" },
      open: { useragent: "Mozilla/5.0", ip: "203.0.113.7", sg_machine_open: false },
      click: { url: "https://example.com/draws", url_offset: { index: 0, type: "html" }, useragent: "Mozilla/5.0", ip: "203.0.113.7" },
      group_unsubscribe: { asm_group_id: (send.body.asm as { group_id?: number } | undefined)?.group_id ?? 1 },
      group_resubscribe: { asm_group_id: (send.body.asm as { group_id?: number } | undefined)?.group_id ?? 1 },
    };
    const out: Record<string, unknown> = {
      ...customArgs,
      email,
      timestamp: created,
      "smtp-id": `<${send.messageId}@ismtpd0001p1.fake.sendgrid.net>`,
      event,
      ...(send.body.categories ? { category: send.body.categories } : {}),
      sg_event_id: randomBytes(16).toString("base64url"),
      sg_message_id: `${send.messageId}.filterdrecv-fake-${personalization}-0`,
      ...defaults[event],
      ...overrides,
    };
    // What SendGrid would now remember (shared/vendors/sendgrid.md §4).
    if (event === "bounce") {
      const row = { created, email, reason: String(out.reason ?? ""), status: String(out.status ?? "") };
      (out.type === "blocked" ? options.suppressions.blocks : options.suppressions.bounces).push(row);
    }
    if (event === "spamreport") options.suppressions.spamReports.push({ created, email, ip: "203.0.113.7" });
    if (event === "unsubscribe") options.suppressions.unsubscribes.push({ created, email });
    return out;
  });
}
