/**
 * The fake's Connect delivery: after each status change, the configured listener gets one
 * signed message per subscribed event, in order, like an account-level Connect configuration
 * (shared/vendors/docusign.md §5). With `requireAcknowledgment`, a delivery that is not
 * answered 2xx is kept and re-sent by `retryFailed()` with `retryCount` + 1 (DocuSign retries
 * about once a day, up to 10 times); without it, it is dropped.
 */
import { jsonConnectMessage, signConnectMessage, xmlConnectMessage, type MessageOptions } from "./connect.js";
import type { FakeChange, FakeEnvelope } from "./state.js";

/** An account-level Connect configuration of the fake. @public */
export interface FakeConnectConfig {
  /** The listener (the fake posts to it with globalThis.fetch; use 127.0.0.1). */
  url: string;
  /** `json` (SIM, default) or `xml` (legacy: envelope status messages only). */
  format?: "json" | "xml" | undefined;
  /** Events sent (JSON). Default: every event. */
  events?: readonly string[] | undefined;
  /** Include the PDFs in messages. Default false. */
  includeDocuments?: boolean | undefined;
  /** Keep failed deliveries for `retryFailed()`. Default true. */
  requireAcknowledgment?: boolean | undefined;
  /** Sign messages with the account's HMAC keys. Default true. */
  includeHMAC?: boolean | undefined;
}

/** One delivery attempt the fake made. @public */
export interface FakeConnectDelivery {
  url: string;
  envelopeId: string;
  event: string;
  format: "json" | "xml";
  retryCount: number;
  /** HTTP status of the answer, undefined when the request failed. */
  status?: number | undefined;
  error?: string | undefined;
  /** 2xx. */
  acknowledged: boolean;
  body: Buffer;
  headers: Record<string, string>;
}

/** What the dispatcher needs from the fake. @internal */
export interface DispatcherDeps {
  envelope(id: string): FakeEnvelope | undefined;
  hmacKeys(): readonly string[];
  messageOptions(retryCount: number): MessageOptions;
}

/** A queued message, kept so a retry rebuilds it with the next retryCount. */
interface Queued {
  config: Required<Omit<FakeConnectConfig, "events">> & { events?: readonly string[] | undefined };
  change: FakeChange;
  snapshot: FakeEnvelope;
  retryCount: number;
}

/** The delivery engine. @internal */
export function createConnectDispatcher(deps: DispatcherDeps) {
  let config: Queued["config"] | undefined;
  const deliveries: FakeConnectDelivery[] = [];
  let failed: Queued[] = [];
  let chain: Promise<void> = Promise.resolve();

  function wants(change: FakeChange): boolean {
    if (!config) return false;
    if (config.format === "xml") return change.event.startsWith("envelope-");
    return config.events === undefined || config.events.includes(change.event);
  }

  async function post(item: Queued): Promise<FakeConnectDelivery> {
    const options = deps.messageOptions(item.retryCount);
    const body = item.config.format === "xml" ? xmlConnectMessage(item.snapshot, { ...options, includeDocuments: item.config.includeDocuments }) : jsonConnectMessage(item.snapshot, item.change, { ...options, includeDocuments: item.config.includeDocuments });
    const headers: Record<string, string> = {
      "content-type": item.config.format === "xml" ? "text/xml; charset=utf-8" : "application/json; charset=utf-8",
      "user-agent": "DocuSign Connect (fake)",
      ...(item.config.includeHMAC ? { "x-authorization-digest": "HMACSHA256", ...signConnectMessage(body, deps.hmacKeys()) } : {}),
    };
    const record: FakeConnectDelivery = { url: item.config.url, envelopeId: item.change.envelopeId, event: item.change.event, format: item.config.format, retryCount: item.retryCount, acknowledged: false, body, headers };
    try {
      const response = await globalThis.fetch(item.config.url, { method: "POST", headers, body: new Uint8Array(body) });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
      record.acknowledged = response.status >= 200 && response.status < 300;
    } catch (error) {
      record.error = (error as Error).message;
    }
    deliveries.push(record);
    if (!record.acknowledged && item.config.requireAcknowledgment) failed.push({ ...item, retryCount: item.retryCount + 1 });
    return record;
  }

  return {
    deliveries,
    configure(next: FakeConnectConfig | undefined) {
      config = next
        ? { url: next.url, format: next.format ?? "json", events: next.events, includeDocuments: next.includeDocuments ?? false, requireAcknowledgment: next.requireAcknowledgment ?? true, includeHMAC: next.includeHMAC ?? true }
        : undefined;
    },
    get configured() {
      return config !== undefined;
    },
    /** Queue deliveries for changes (the envelope is snapshotted now, as DocuSign builds the message at the change). */
    enqueue(changes: FakeChange[]): Promise<void> {
      const current = config;
      if (!current) return chain;
      for (const change of changes.filter(wants)) {
        const env = deps.envelope(change.envelopeId);
        if (!env) continue;
        const snapshot: FakeEnvelope = { ...env, recipients: env.recipients.map((r) => ({ ...r })), documents: env.documents.map((d) => ({ ...d })), customFields: { ...env.customFields } };
        chain = chain.then(() => post({ config: current, change, snapshot, retryCount: 0 }).then(() => undefined));
      }
      return chain;
    },
    /** Re-send every unacknowledged delivery, in order, with retryCount + 1. */
    retryFailed(): Promise<FakeConnectDelivery[]> {
      const batch = failed;
      failed = [];
      const run = chain.then(async () => {
        const out: FakeConnectDelivery[] = [];
        for (const item of batch) out.push(await post(item));
        return out;
      });
      chain = run.then(() => undefined);
      return run;
    },
    get pending(): number {
      return failed.length;
    },
    settled(): Promise<void> {
      return chain;
    },
    reset() {
      config = undefined;
      deliveries.length = 0;
      failed = [];
    },
  };
}
