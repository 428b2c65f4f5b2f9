// The run's summary: one row per vendor from core's telemetry (calls, retries, time in calls),
// the host's webhook counts, and core's checkHealth for every adapter.

/** Every vendor the demo may use, in the summary's order; a run lists the ones it built. */
export const VENDORS = ["bpo", "textract", "docusign", "authentisign", "quickbooks", "xero", "sendgrid", "ses", "mailgun", "twilio"];

/** Lines describing the retries and failures recorded in spans (for the step's sub-lines). */
export function resilienceNotes(spans) {
  const notes = [];
  for (const span of spans) {
    const retries = span.events.filter((e) => e.name === "retry");
    const rejected = span.events.some((e) => e.name === "breaker.rejected");
    if (retries.length === 0 && !rejected && span.status !== "error") continue;
    if (span.kind !== 2) continue; // CLIENT spans: one logical vendor call each
    const why = retries.map((e) => `${e.attributes["error.type"]}${e.attributes["http.response.status_code"] ? ` ${e.attributes["http.response.status_code"]}` : ""}, waited ${e.attributes["connect.retry.delay_ms"]} ms`);
    const outcome = span.status === "error" ? `failed: ${span.attributes["error.type"]}${rejected ? " (breaker open, nothing sent)" : ""}` : `succeeded on attempt ${span.attributes["connect.attempt"]}`;
    notes.push(`   ↻ ${span.name}: ${why.length ? `${why.join("; ")} → ` : ""}${outcome}`);
  }
  return notes;
}

/** Build the per-vendor summary rows. */
export function summaryRows({ usage, webhooks, health, versions }) {
  return VENDORS.filter((vendor) => vendor in versions).map((vendor) => {
    const u = usage[vendor] ?? { calls: 0, failed: 0, retries: 0, ms: 0 };
    const w = webhooks[vendor] ?? { deliveries: 0, verified: 0, rejected: 0, duplicates: 0, failed: 0 };
    const h = health.adapters[vendor];
    return {
      vendor,
      version: versions[vendor],
      calls: u.calls,
      failed: u.failed,
      retries: u.retries,
      ms: u.ms,
      webhooksVerified: w.verified,
      webhooksRejected: w.rejected,
      duplicatesDropped: w.duplicates,
      health: h?.status ?? "unknown",
      breaker: h?.breaker,
      healthLatencyMs: h?.latencyMs,
    };
  });
}

/** The summary table as text lines. */
export function summaryTable(rows) {
  const header = ["vendor", "version", "calls", "retries", "webhooks", "rejected", "dup dropped", "time in calls", "health"];
  const body = rows.map((r) => [
    r.vendor,
    r.version ?? "",
    String(r.calls),
    String(r.retries),
    String(r.webhooksVerified),
    String(r.webhooksRejected),
    String(r.duplicatesDropped),
    `${r.ms} ms`,
    `${r.health}${r.breaker ? ` (breaker ${r.breaker})` : ""}`,
  ]);
  const totals = rows.reduce((t, r) => ({ calls: t.calls + r.calls, retries: t.retries + r.retries, verified: t.verified + r.webhooksVerified, rejected: t.rejected + r.webhooksRejected, dup: t.dup + r.duplicatesDropped, ms: t.ms + r.ms }), { calls: 0, retries: 0, verified: 0, rejected: 0, dup: 0, ms: 0 });
  const footer = ["total", "", String(totals.calls), String(totals.retries), String(totals.verified), String(totals.rejected), String(totals.dup), `${totals.ms} ms`, ""];
  const all = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7]);
  const fmt = (row) => row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [fmt(header), rule, ...body.map(fmt), rule, fmt(footer)];
}
