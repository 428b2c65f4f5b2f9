// Small helpers shared by the benchmark scripts.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function parseArgs(argv = process.argv.slice(2)) {
  return { smoke: argv.includes("--smoke") };
}

export const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n));

/** Largest number of stamps (ms) inside any window of `windowMs`. */
export function maxInWindow(stamps, windowMs = 1000) {
  const sorted = [...stamps].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** A loopback server in this process that answers `{"ok":true}` and stamps each request's arrival (what a vendor would count). */
export async function startArrivalServer() {
  const { createServer } = await import("node:http");
  const arrivals = [];
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    arrivals,
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
