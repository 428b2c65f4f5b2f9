/**
 * fast-xml-parser is loaded only when an XML Connect message arrives: a host that receives JSON
 * only never pays for it. Checked on the built package, as a consumer loads it.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const XML =
  '<DocuSignEnvelopeInformation xmlns="http://www.docusign.net/API/3.0"><EnvelopeStatus><RecipientStatuses><RecipientStatus><Type>Signer</Type><Email>ann@example.com</Email><UserName>Ann Lee</UserName><RoutingOrder>1</RoutingOrder><Status>Completed</Status><RecipientId>r1</RecipientId></RecipientStatus></RecipientStatuses><TimeGenerated>2020-12-21T08:30:37.96</TimeGenerated><EnvelopeID>c5c0</EnvelopeID><Subject>Please sign</Subject><Status>Completed</Status></EnvelopeStatus></DocuSignEnvelopeInformation>';

function probe(load: string, type: "module" | "commonjs"): string {
  const code = `
    const { registerHooks } = require("node:module");
    const seen = [];
    registerHooks({ resolve(s, c, n) { const r = n(s, c); seen.push(r.url); return r; }, load(u, c, n) { seen.push(u); return n(u, c); } });
    const loaded = () => seen.some((u) => u.includes("/fast-xml-parser/"));
    (async () => {
      const docusign = ${load};
      const atImport = loaded();
      const event = docusign.parseXmlConnectMessage(${JSON.stringify(XML)});
      console.log(JSON.stringify({ atImport, afterXml: loaded(), event: event.event, envelopeId: event.envelopeId }));
    })();`;
  return execFileSync(process.execPath, [`--input-type=${type}`, "-e", type === "module" ? code.replace('const { registerHooks } = require("node:module");', 'import { registerHooks } from "node:module";') : code], {
    cwd: root,
    encoding: "utf8",
  }).trim();
}

describe("the built @connect/docusign (issue 14)", () => {
  it.each([
    ["ESM", 'await import("@connect/docusign")', "module"],
    ["CommonJS", 'require("@connect/docusign")', "commonjs"],
  ] as const)("%s: importing it does not load fast-xml-parser; the first XML message does", (_name, load, type) => {
    expect(JSON.parse(probe(load, type))).toEqual({ atImport: false, afterXml: true, event: "envelope-completed", envelopeId: "c5c0" });
  });
});
