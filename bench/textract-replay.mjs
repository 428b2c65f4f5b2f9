// Replays a captured Textract job (bench/textract-parse.mjs captures it from the package's fake)
// over node:http on 127.0.0.1, in its own process: StartDocumentAnalysis answers the captured job
// id, GetDocumentAnalysis the captured result page for the request's NextToken. Serving recorded
// bytes keeps the vendor side cheap and identical for the SDK path and the raw floor.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const dir = process.argv[2];
const capture = JSON.parse(readFileSync(join(dir, "capture.json"), "utf8"));
const pages = new Map(capture.pages.map((p) => [p.token ?? "", readFileSync(join(dir, p.file))]));
const start = Buffer.from(JSON.stringify({ JobId: capture.jobId }));

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const target = req.headers["x-amz-target"] ?? "";
    let body = start;
    if (target === "Textract.GetDocumentAnalysis") {
      const token = JSON.parse(Buffer.concat(chunks).toString("utf8")).NextToken ?? "";
      body = pages.get(token);
      if (!body) {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ __type: "InvalidParameterException", message: `unknown NextToken ${token}` }));
        return;
      }
    } else if (target !== "Textract.StartDocumentAnalysis") {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
      return;
    }
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": body.length, "x-amzn-requestid": "bench" });
    res.end(body);
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("disconnect", () => process.exit(0));
