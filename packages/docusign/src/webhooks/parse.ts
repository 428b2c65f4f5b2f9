/** Pick the parser by content type (or the first byte when the type says nothing). */
import type { WebhookRequest } from "@connect/core";
import type { DocuSignConnectEvent } from "./events.js";
import { parseJsonConnectMessage } from "./json.js";
import { parseXmlConnectMessage, type XmlConnectOptions } from "./xml.js";

/** Parse a verified Connect request (JSON SIM or legacy XML) into its typed event. @public */
export function parseConnectMessage(request: Pick<WebhookRequest, "headers" | "rawBody">, options: XmlConnectOptions = {}): DocuSignConnectEvent {
  const type = (request.headers["content-type"] ?? "").toLowerCase();
  if (type.includes("json")) return parseJsonConnectMessage(request.rawBody);
  if (type.includes("xml")) return parseXmlConnectMessage(request.rawBody, options);
  const first = request.rawBody.toString("utf8", 0, Math.min(request.rawBody.length, 64)).replace(/^\uFEFF/, "").trimStart()[0];
  return first === "<" ? parseXmlConnectMessage(request.rawBody, options) : parseJsonConnectMessage(request.rawBody);
}
