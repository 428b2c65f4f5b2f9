/**
 * The bytes the fake serves for executed documents: deterministic for a signing's state, so
 * a test can compare a download with `fake.signedDocument(id)`. They start like a PDF and
 * carry the uploaded files, so a large upload gives a large (streamed) download.
 */
import { createHash } from "node:crypto";
import type { FakeSigning } from "./state.js";

function header(s: FakeSigning, title: string): string {
  return `%PDF-1.7\n% Authentisign ${title} (fake)\n% Signing ${s.id}: ${s.name}\n`;
}

function signatures(s: FakeSigning): string {
  return s.participants
    .filter((p) => p.signedDate)
    .map((p) => `% Signed by ${p.firstName} ${p.lastName} <${p.email ?? ""}> at ${p.signedDate}\n`)
    .join("");
}

/** The executed package (`documents/s`) or the latest partially signed one (`documents/ls`). @internal */
export function packageBytes(s: FakeSigning, kind: "signed" | "partial"): Buffer {
  const parts: Buffer[] = [Buffer.from(header(s, kind === "signed" ? "executed package" : "partially signed package"))];
  s.files.forEach((file, i) => {
    const digest = createHash("sha256").update(file.bytes).digest("hex");
    parts.push(Buffer.from(`% Document ${i + 1}: ${file.name} (${file.bytes.length} bytes, sha256 ${digest})\n`), file.bytes, Buffer.from("\n"));
  });
  parts.push(Buffer.from(`${signatures(s)}%%EOF\n`));
  return Buffer.concat(parts);
}

/** The certificate of completion (`documents/sc`). @internal */
export function certificateBytes(s: FakeSigning): Buffer {
  return Buffer.from(`${header(s, "certificate of completion")}${signatures(s)}% Completed at ${s.lastModified}\n%%EOF\n`);
}
