// Webhook verification benchmark (not a test): requests/s through each package's public webhook
// handler — verify + parse + dedupe + dispatch to a no-op handler, every request a new event —
// next to the package's verifier alone and the floor, node:crypto checking the same signature on
// the same signed bytes. The three run interleaved, round after round; figures are medians.
// Where an HMAC scheme misses the goal (≥ 0.8 of the floor), the full path is profiled in process
// and the hottest modules and functions are printed.
//   npx node bench/webhooks.mjs            full run (markdown on stdout)
//   npx node bench/webhooks.mjs --smoke    one short round per case, proves it runs
//   npx node bench/webhooks.mjs --only twilio,sendgrid
//   npx node --cpu-prof --cpu-prof-dir=bench/.tmp bench/webhooks.mjs --only twilio   full V8 profile for DevTools
// Needs the packages built (`npm run build`, or `npx tsup --silent` in each package).
import { pathToFileURL } from "node:url";
import { fmt, median, parseArgs } from "./lib.mjs";
import { profile, profileMarkdown } from "./profile.mjs";
import { webhookCases } from "./webhook-cases.mjs";

const GOAL = 0.8;

/** Run `pass` (one sweep over the requests) until `durationMs` has passed; requests per second. */
async function rate(pass, requestsPerPass, durationMs) {
  let requests = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    await pass();
    requests += requestsPerPass;
    elapsed = performance.now() - started;
  } while (elapsed < durationMs);
  return (requests / elapsed) * 1000;
}

function passes(c) {
  const { requests } = c;
  const floor = async () => {
    for (const r of requests) if (!c.floor(r)) throw new Error(`${c.id}: the floor rejected a correctly signed request`);
  };
  const floorParse = async () => {
    for (const r of requests) if (!c.floor(r) || c.parse(r.req.rawBody) === undefined) throw new Error(`${c.id}: floor + parse failed`);
  };
  const verifier = async () => {
    for (const r of requests) await c.verifier.verify(r.req);
  };
  const full = async () => {
    // A fresh handler per sweep: its dedupe store has not seen these events, so each one is new.
    let events = 0;
    const handler = c.handler(() => {
      events += 1;
    });
    for (const r of requests) {
      const res = await handler.handle(r.req);
      if (res.status !== 200) throw new Error(`${c.id}: the handler answered ${res.status}: ${res.body}`);
    }
    await handler.idle?.();
    const expected = requests.length * c.eventsPerRequest;
    if (events !== expected) throw new Error(`${c.id}: ${events} events reached the handler, expected ${expected}`);
  };
  return { floor, floorParse, verifier, full };
}

/** Measure every case; returns the figures. */
export async function benchWebhooks({ smoke = false, only } = {}) {
  const rounds = smoke ? 1 : 7;
  const durationMs = smoke ? 30 : 400;
  const cases = webhookCases(smoke ? 50 : 1000).filter((c) => !only || only.includes(c.id) || only.some((o) => c.id.startsWith(o)));
  const rows = [];
  for (const c of cases) {
    const p = passes(c);
    // Warm up every path (JIT, key caches) before measuring.
    for (let i = 0; i < (smoke ? 1 : 3); i += 1) {
      await p.floor();
      await p.floorParse();
      await p.verifier();
      await p.full();
    }
    const samples = { floor: [], floorParse: [], verifier: [], full: [] };
    const n = c.requests.length;
    for (let r = 0; r < rounds; r += 1) {
      samples.floor.push(await rate(p.floor, n, durationMs));
      samples.floorParse.push(await rate(p.floorParse, n, durationMs));
      samples.verifier.push(await rate(p.verifier, n, durationMs));
      samples.full.push(await rate(p.full, n, durationMs));
    }
    const floor = median(samples.floor);
    const floorParse = median(samples.floorParse);
    const verifier = median(samples.verifier);
    const full = median(samples.full);
    const row = {
      id: c.id,
      title: c.title,
      hmac: c.hmac,
      bytes: median(c.requests.map((r) => r.req.rawBody.length)),
      eventsPerRequest: c.eventsPerRequest,
      floorNote: c.floorNote,
      parseNote: c.parse.note,
      floor,
      floorParse,
      verifier,
      full,
      ratio: full / floor,
      parseRatio: full / floorParse,
      verifierRatio: verifier / floor,
      us: { floor: 1e6 / floor, floorParse: 1e6 / floorParse, verifier: 1e6 / verifier, full: 1e6 / full },
    };
    if (c.hmac && row.ratio < GOAL) row.profile = await profile(async () => {
      const until = performance.now() + (smoke ? 50 : 1500);
      while (performance.now() < until) await p.full();
    });
    rows.push(row);
  }
  return { rows, rounds, durationMs };
}

/** The section as markdown. */
export function webhooksMarkdown({ rows, rounds, durationMs }) {
  const lines = [
    `Requests/s, median of ${rounds} interleaved rounds of ≥ ${durationMs} ms per path; every request is a new event (distinct ids) and the handler a no-op.`,
    "",
    "| scheme | body | floor: signature alone | floor + parse | verifier alone | full path | full / floor | full / (floor + parse) | verifier / floor | µs per request: floor, + parse, verifier, full |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows.map(
      (r) =>
        `| ${r.title} | ${r.bytes >= 2 ** 20 ? `${fmt(r.bytes / 2 ** 20, 1)} MiB` : `${fmt(r.bytes)} B`} | ${fmt(r.floor)} | ${fmt(r.floorParse)} | ${fmt(r.verifier)} | ${fmt(r.full)}${r.eventsPerRequest > 1 ? ` (${fmt(r.full * r.eventsPerRequest)} events/s)` : ""} | **${fmt(r.ratio, 2)}** | ${fmt(r.parseRatio, 2)} | ${fmt(r.verifierRatio, 2)} | ${[r.us.floor, r.us.floorParse, r.us.verifier, r.us.full].map((u) => fmt(u, u < 100 ? 1 : 0)).join(", ")} |`,
    ),
    "",
    "- **Floor: signature alone** — node:crypto on the same signed bytes: decode the signature header, " +
      [...new Set(rows.map((r) => r.floorNote))].join("; ") +
      ". **Floor + parse** adds the platform's own parser on the body (" +
      [...new Set(rows.map((r) => r.parseNote))].join(", ") +
      "): what a hand-written receiver does at the least. **Verifier alone** — the package's exported verifier, `verify(request)`. **Full path** — the package's `create…WebhookHandler(options).handle(request)`: verify → parse into typed events → dedupe → dispatch (QuickBooks also drains its acknowledge-first queue).",
    "",
  ];
  for (const r of rows) {
    if (!r.hmac) {
      lines.push(`- ${r.title}: no goal (ECDSA). ${fmt(r.ratio, 2)} of the floor: the signature check is ${fmt(r.us.floor, 0)} µs of ${fmt(r.us.full, 0)} µs per ${r.eventsPerRequest}-event request; the rest is parsing and validating ${r.eventsPerRequest} events (${fmt((r.us.full - r.us.verifier) / r.eventsPerRequest, 1)} µs each, with dedupe and dispatch).`);
    } else if (r.ratio >= GOAL) {
      lines.push(`- ${r.title}: goal ≥ ${GOAL} of the floor **met** (${fmt(r.ratio, 2)}).`);
    } else {
      lines.push(
        `- ${r.title}: goal ≥ ${GOAL} of the floor **missed by ${fmt((GOAL - r.ratio) * 100, 0)} points** (${fmt(r.ratio, 2)}). Of ${fmt(r.us.full, 1)} µs per request the signature is ${fmt(r.us.floor, 1)} µs; the verifier's own work adds ${fmt(r.us.verifier - r.us.floor, 1)} µs and parse + dedupe + dispatch ${fmt(r.us.full - r.us.verifier, 1)} µs. A hand-written receiver that only adds ${r.parseNote} reaches ${fmt(r.floorParse / r.floor, 2)} of the floor${r.floorParse / r.floor < GOAL ? ", so for this payload the goal is out of reach for any path that parses the body" : ""}; against floor + parse the package is at ${fmt(r.parseRatio, 2)}.`,
      );
    }
  }
  for (const r of rows.filter((x) => x.profile)) {
    lines.push("", `#### Profile: ${r.title}, full path`, "", profileMarkdown(r.profile));
  }
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { smoke } = parseArgs();
  const at = process.argv.indexOf("--only");
  const only = at > 0 ? process.argv[at + 1].split(",") : undefined;
  console.log(webhooksMarkdown(await benchWebhooks({ smoke, only })));
}
