// The host's webhook server: one node:http server on 127.0.0.1, one route per vendor endpoint.
// Each vendor package's endpoint verifies the signature over the raw bytes before anything
// else (401, no handler reached); this module only routes, wraps every delivery in a SERVER
// span, and counts what the endpoints answered for the summary table.
import { createServer } from "node:http";
import { SpanKind } from "@opentelemetry/api";
import { fromNodeRequest } from "@connect/core";

/** Start the server; `mount(vendor, path, endpoint)` adds a route for a `WebhookReceiver`-shaped endpoint. */
export async function startWebhookServer({ telemetry }) {
  const routes = [];
  const stats = {};
  const statsOf = (vendor) => (stats[vendor] ??= { deliveries: 0, verified: 0, rejected: 0, duplicates: 0, failed: 0 });

  async function dispatch(req, res) {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const route = routes.find((r) => path === r.path || path.startsWith(`${r.path}/`));
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    await telemetry.inSpan(`webhook ${route.vendor}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method ?? "POST", "url.path": path, "connect.adapter.id": route.vendor } }, async (span) => {
      const response = await route.endpoint.handle(await fromNodeRequest(req));
      span.setAttribute("http.response.status_code", response.status);
      const counts = statsOf(route.vendor);
      counts.deliveries += 1;
      if (response.status === 401) counts.rejected += 1;
      else counts.verified += 1;
      if (response.status >= 500) counts.failed += 1;
      if ((response.headers["content-type"] ?? "").includes("json")) {
        try {
          const summary = JSON.parse(response.body);
          if (typeof summary.duplicates === "number") {
            counts.duplicates += summary.duplicates;
            if (summary.duplicates > 0) span.setAttribute("connect.webhook.duplicates", summary.duplicates);
          }
        } catch {
          // not a receiver summary
        }
      }
      res.writeHead(response.status, response.headers).end(response.body);
    });
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error?.message ?? error));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    stats,
    mount(vendor, path, endpoint) {
      routes.push({ vendor, path, endpoint });
      statsOf(vendor);
      return `${url}${path}`;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
