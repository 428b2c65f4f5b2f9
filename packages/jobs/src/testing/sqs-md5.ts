/**
 * The MD5 digests SQS returns and SDKs verify (shared/vendors/sqs.md §5). The JS SDK checks
 * `MD5OfMessageBody` / `MD5OfBody`; the Java SDK also checks the attribute digests, so both are
 * computed exactly.
 */
import { createHash } from "node:crypto";

/** A message attribute as it travels on the JSON wire (binary values base64). @public */
export interface WireMessageAttribute {
  DataType: string;
  StringValue?: string | undefined;
  BinaryValue?: string | undefined;
}

/** Lowercase hex MD5 of a string's UTF-8 bytes (`MD5OfMessageBody`). @public */
export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

function len32(bytes: Buffer): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(bytes.length, 0);
  return out;
}

/**
 * `MD5OfMessageAttributes`: names sorted; per attribute `len32(name) name len32(type) type t
 * len32(value) value`, `t` = 1 for String/Number (the string value) and 2 for Binary (the raw
 * bytes) (sqs.md §5). Undefined when there are no attributes, as SQS omits the field then.
 * @public
 */
export function md5OfMessageAttributes(attributes: Record<string, WireMessageAttribute> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes![name]!;
    const nameBytes = Buffer.from(name, "utf8");
    const typeBytes = Buffer.from(attribute.DataType, "utf8");
    parts.push(len32(nameBytes), nameBytes, len32(typeBytes), typeBytes);
    if (attribute.DataType.startsWith("Binary")) {
      const value = Buffer.from(attribute.BinaryValue ?? "", "base64");
      parts.push(Buffer.from([2]), len32(value), value);
    } else {
      const value = Buffer.from(attribute.StringValue ?? "", "utf8");
      parts.push(Buffer.from([1]), len32(value), value);
    }
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}
