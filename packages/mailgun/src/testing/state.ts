/**
 * The fake's per-domain state and small helpers shared by its handlers: what Mailgun would
 * remember for one sending domain (messages, events, suppression lists, templates).
 */
import { randomBytes } from "node:crypto";
import { HttpResponse } from "msw";

/** A file part the fake received. @public */
export interface FakeFile {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

/** One message the fake accepted. @public */
export interface StoredMessage {
  /** The id as answered, with angle brackets. */
  id: string;
  /** The id without brackets, as events carry it. */
  messageId: string;
  domain: string;
  /** Every text field as received, repeated fields in order (`to`, `o:tag`, `v:…`, `h:…`). */
  fields: Record<string, string[]>;
  attachments: FakeFile[];
  inline: FakeFile[];
  /** Bare addresses of to + cc + bcc. */
  recipients: string[];
  testMode: boolean;
  /** Epoch ms. */
  at: number;
}

/** A bounce row. @public */
export interface FakeBounce { address: string; code: string; error: string; created_at: string }
/** A complaint row. @public */
export interface FakeComplaint { address: string; created_at: string }
/** An unsubscribe row (`tags: ["*"]` = every tag). @public */
export interface FakeUnsubscribe { address: string; tags: string[]; created_at: string }

/** A stored template. @public */
export interface FakeTemplate {
  name: string;
  description: string;
  /** Template headers (`From`, `Subject`, `Reply-To`) the template supplies. */
  headers: Record<string, string>;
  createdAt: string;
}

/** An event as the Events API returns it (and webhooks carry it). @public */
export type FakeEvent = Record<string, unknown> & { id: string; event: string; timestamp: number };

/** Everything the fake keeps for one domain. @public */
export interface FakeDomain {
  readonly name: string;
  readonly messages: StoredMessage[];
  /** In the order they happened. */
  readonly events: FakeEvent[];
  readonly bounces: FakeBounce[];
  readonly complaints: FakeComplaint[];
  readonly unsubscribes: FakeUnsubscribe[];
  readonly templates: Map<string, FakeTemplate>;
}

/** Create an empty domain. @internal */
export function createDomain(name: string): FakeDomain {
  return { name, messages: [], events: [], bounces: [], complaints: [], unsubscribes: [], templates: new Map() };
}

/** A random id of `bytes` bytes, base64url. @internal */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

/** RFC 2822 with a numeric offset. @internal */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, "+0000");
}

/** Mailgun's `{message}` error body. @internal */
export function mailgunError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return HttpResponse.json({ message }, { status, headers });
}

/** The bare address of `Name <addr>` / `addr`, lower-cased; undefined when it is not one. @internal */
export function bareAddress(value: string): string | undefined {
  const trimmed = value.trim();
  const named = /<([^<>\s]+)>\s*$/.exec(trimmed);
  const email = (named ? named[1]! : trimmed).toLowerCase();
  return /^[^\s@<>",;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(email) ? email : undefined;
}

/** Split a comma-separated address field, leaving commas inside quotes alone. @internal */
export function splitAddresses(value: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      if (current.trim()) out.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** Read a form body (multipart or urlencoded) into fields and files. @internal */
export async function readForm(request: Request): Promise<{ fields: Record<string, string[]>; files: Record<string, FakeFile[]> } | undefined> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return undefined;
  }
  const fields: Record<string, string[]> = {};
  const files: Record<string, FakeFile[]> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") (fields[name] ??= []).push(value);
    else {
      const content = Buffer.from(await value.arrayBuffer());
      (files[name] ??= []).push({ filename: value.name, contentType: value.type || "application/octet-stream", size: content.length, content });
    }
  }
  return { fields, files };
}
