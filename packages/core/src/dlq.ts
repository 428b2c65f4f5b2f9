/**
 * Dead letters: calls and webhook events that exhausted their retries, kept so an operator
 * can inspect and replay them. Every letter is redacted when it is stored (never left to
 * the sink's reader), so a credential in an input, an event or an error never lands here.
 */
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { isSensitiveKey, REDACTED, redactText } from "./redact.js";

/** What failed: an outbound call, an inbound webhook event, or a durable job (`@connect/jobs`). @public */
export type DeadLetterKind = "call" | "webhook" | "job";

/** One call or webhook event that exhausted its retries. @public */
export interface DeadLetter {
  /** Unique id of the letter; putting a letter with an existing id replaces it. */
  id: string;
  /** Outbound call, inbound webhook event or durable job. */
  kind: DeadLetterKind;
  /** Vendor id, e.g. `docusign`. */
  adapterId: string;
  /** Operation id for a call (`envelopes.create`), event type for a webhook (`envelope-completed`). */
  operation: string;
  /** Correlation id of the call, or of the last webhook delivery. */
  correlationId: string;
  /** Tenant, when known. */
  tenantId?: string | undefined;
  /** The call's input or the webhook event, redacted and JSON-safe. */
  payload: unknown;
  /** The final error as `IntegrationError.toJSON()`, redacted. */
  error: Record<string, unknown>;
  /** Attempts (calls) or deliveries (webhooks) made. */
  attempts: number;
  /** ISO time of the first attempt. */
  firstAttemptAt: string;
  /** ISO time of the last attempt. */
  lastAttemptAt: string;
}

/** Selects letters in {@link DeadLetterSink.list} and {@link DeadLetterSink.replay}; all given fields must match. @public */
export interface DeadLetterFilter {
  kind?: DeadLetterKind | undefined;
  adapterId?: string | undefined;
  operation?: string | undefined;
  tenantId?: string | undefined;
  correlationId?: string | undefined;
}

/** Outcome of {@link DeadLetterSink.replay}. @public */
export interface ReplayResult {
  /** Letters whose handler resolved; they were removed. */
  replayed: number;
  /** Letters whose handler threw; they stay in the sink. */
  failed: number;
  /** Ids of the letters that failed, in replay order. */
  failedIds: string[];
}

/** Options of {@link DeadLetterSink.replay}. @public */
export interface ReplayOptions {
  /** Replay only matching letters. */
  filter?: DeadLetterFilter | undefined;
}

/** Where exhausted calls and webhook events go; memory and JSON-lines file here, a Redis stream later. @public */
export interface DeadLetterSink {
  /** Store a letter (redacted on the way in); replaces a letter with the same id. */
  put(letter: DeadLetter): Promise<void>;
  /** Letters in the order they were stored, optionally filtered. */
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Remove a letter; true when it existed. */
  remove(id: string): Promise<boolean>;
  /** Hand each (matching) letter to `handler` in order; a letter is removed when its handler resolves and stays when it throws. */
  replay(handler: (letter: DeadLetter) => Promise<void>, options?: ReplayOptions): Promise<ReplayResult>;
}

const MAX_DEPTH = 32;

/**
 * A JSON-safe, redacted deep copy: sensitive keys become `[REDACTED]` at any depth,
 * credential-looking strings are scrubbed, Buffers become text (or base64 when not UTF-8),
 * Dates become ISO strings, cycles become `[Circular]`.
 * @internal
 */
export function toRedactedJson(value: unknown, seen: WeakSet<object> = new WeakSet(), depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === "string") return redactText(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) {
    const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const text = buffer.toString("utf8");
    // Binary that is not valid UTF-8 is kept as base64 (it cannot be scanned for credentials).
    return Buffer.from(text, "utf8").equals(buffer) ? redactText(text) : { base64: buffer.toString("base64") };
  }
  if (depth >= MAX_DEPTH) return "[Truncated]";
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => toRedactedJson(item, seen, depth + 1) ?? null);
    if (hasToJson(value)) return toRedactedJson(value.toJSON(), seen, depth + 1);
    if (value instanceof Error) return toRedactedJson({ name: value.name, message: value.message }, seen, depth + 1);
    const entries = value instanceof Map ? [...value.entries()].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of entries) {
      if (inner === undefined) continue;
      const copy = isSensitiveKey(key) && inner !== null ? REDACTED : toRedactedJson(inner, seen, depth + 1);
      if (copy !== undefined) out[key] = copy;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return value instanceof Error && typeof (value as { toJSON?: unknown }).toJSON === "function";
}

/** Redact and deep-copy a letter so nothing the caller holds can change (or leak) what is stored; for authors of sinks. @public */
export function sanitizeDeadLetter(letter: DeadLetter): DeadLetter {
  const error = toRedactedJson(letter.error);
  return {
    id: String(letter.id),
    kind: letter.kind,
    adapterId: letter.adapterId,
    operation: redactText(String(letter.operation)),
    correlationId: String(letter.correlationId),
    ...(letter.tenantId === undefined ? {} : { tenantId: letter.tenantId }),
    payload: toRedactedJson(letter.payload) ?? null,
    error: error && typeof error === "object" && !Array.isArray(error) ? (error as Record<string, unknown>) : { message: error },
    attempts: letter.attempts,
    firstAttemptAt: letter.firstAttemptAt,
    lastAttemptAt: letter.lastAttemptAt,
  };
}

/** Whether a letter matches a filter (every given field equal); for authors of sinks. @public */
export function matchesDeadLetter(letter: DeadLetter, filter: DeadLetterFilter | undefined): boolean {
  if (!filter) return true;
  return (
    (filter.kind === undefined || letter.kind === filter.kind) &&
    (filter.adapterId === undefined || letter.adapterId === filter.adapterId) &&
    (filter.operation === undefined || letter.operation === filter.operation) &&
    (filter.tenantId === undefined || letter.tenantId === filter.tenantId) &&
    (filter.correlationId === undefined || letter.correlationId === filter.correlationId)
  );
}

function copy(letter: DeadLetter): DeadLetter {
  return structuredClone(letter);
}

/**
 * A dead-letter sink in process memory (lost on restart); for tests and single-process hosts.
 * @example
 * const deadLetters = createMemoryDeadLetterSink();
 * const client = createTwilioClient({ ..., deadLetters });
 * @public
 */
export function createMemoryDeadLetterSink(): DeadLetterSink {
  const letters = new Map<string, DeadLetter>();
  return {
    async put(letter) {
      const clean = sanitizeDeadLetter(letter);
      letters.delete(clean.id);
      letters.set(clean.id, clean);
    },
    async list(filter) {
      return [...letters.values()].filter((letter) => matchesDeadLetter(letter, filter)).map(copy);
    },
    async remove(id) {
      return letters.delete(id);
    },
    async replay(handler, options = {}) {
      const result: ReplayResult = { replayed: 0, failed: 0, failedIds: [] };
      for (const letter of [...letters.values()].filter((l) => matchesDeadLetter(l, options.filter))) {
        try {
          await handler(copy(letter));
          // Remove only the letter that was replayed, not one put again under the same id meanwhile.
          if (letters.get(letter.id) === letter) letters.delete(letter.id);
          result.replayed += 1;
        } catch {
          result.failed += 1;
          result.failedIds.push(letter.id);
        }
      }
      return result;
    },
  };
}

interface FileLine {
  /** The line exactly as stored. */
  raw: string;
  /** The parsed letter, or undefined for a line that does not parse (kept verbatim on rewrite). */
  letter: DeadLetter | undefined;
}

function parseLine(raw: string): FileLine {
  try {
    const value = JSON.parse(raw) as DeadLetter;
    if (value && typeof value === "object" && typeof value.id === "string") return { raw, letter: value };
  } catch {
    // A torn last line after a crash; kept as is so nothing is lost.
  }
  return { raw, letter: undefined };
}

/**
 * A dead-letter sink that appends one JSON object per line to `path`. Removing or replaying
 * rewrites the file atomically (temporary file + rename). One process per file: operations
 * of one sink are serialised, but two processes writing the same file are not coordinated.
 * @example
 * const deadLetters = createFileDeadLetterSink("/var/lib/connect/dead-letters.jsonl");
 * await deadLetters.replay(async (letter) => { await resend(letter) });
 * @public
 */
export function createFileDeadLetterSink(path: string): DeadLetterSink {
  let queue: Promise<unknown> = Promise.resolve();
  // Serialise every file operation of this sink so a rewrite never loses a concurrent append.
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };

  async function readLines(): Promise<FileLine[]> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(parseLine);
  }

  /** The current letters: the last line per id wins, in the order each id was last stored. */
  function current(lines: FileLine[]): Map<string, FileLine> {
    const byId = new Map<string, FileLine>();
    for (const line of lines) {
      if (!line.letter) continue;
      byId.delete(line.letter.id);
      byId.set(line.letter.id, line);
    }
    return byId;
  }

  async function rewrite(lines: FileLine[]): Promise<void> {
    const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, lines.map((line) => `${line.raw}\n`).join(""), { encoding: "utf8", mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Rewrite the file without the given lines (and without superseded duplicates of live ids). */
  async function removeLines(remove: (line: FileLine) => boolean): Promise<number> {
    const lines = await readLines();
    const live = new Set(current(lines).values());
    let removed = 0;
    const kept = lines.filter((line) => {
      if (!line.letter) return true;
      if (!live.has(line)) return false;
      if (remove(line)) {
        removed += 1;
        return false;
      }
      return true;
    });
    if (kept.length !== lines.length) await rewrite(kept);
    return removed;
  }

  return {
    put(letter) {
      const line = JSON.stringify(sanitizeDeadLetter(letter));
      return exclusive(async () => {
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, `${line}\n`, { encoding: "utf8", mode: 0o600 });
      });
    },
    list(filter) {
      return exclusive(async () => [...current(await readLines()).values()].map((line) => line.letter as DeadLetter).filter((l) => matchesDeadLetter(l, filter)));
    },
    remove(id) {
      return exclusive(async () => (await removeLines((line) => line.letter?.id === id)) > 0);
    },
    async replay(handler, options = {}) {
      const snapshot = await exclusive(async () =>
        [...current(await readLines()).values()].filter((line) => matchesDeadLetter(line.letter as DeadLetter, options.filter)),
      );
      const result: ReplayResult = { replayed: 0, failed: 0, failedIds: [] };
      const done = new Set<string>();
      for (const line of snapshot) {
        const letter = line.letter as DeadLetter;
        try {
          await handler(letter);
          done.add(line.raw);
          result.replayed += 1;
        } catch {
          result.failed += 1;
          result.failedIds.push(letter.id);
        }
      }
      // Handlers ran outside the lock; now remove exactly the replayed lines (a letter put again
      // under the same id during the replay has a different line and stays).
      if (done.size > 0) await exclusive(() => removeLines((line) => done.has(line.raw)));
      return result;
    },
  };
}
