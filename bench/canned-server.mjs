// A loopback HTTP server answering every request with one canned vendor response.
// Run in its own process so the vendor side does not share the client's CPU time.
import { createServer } from "node:http";

const body = process.env.CANNED_BODY ?? JSON.stringify({ ok: true });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("disconnect", () => process.exit(0));
