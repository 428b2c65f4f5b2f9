/**
 * Message status order (shared/vendors/twilio.md §2 "Status lifecycle"): status callbacks arrive
 * in no guaranteed order, so a status only replaces one that comes earlier in the lifecycle,
 * and a final status is never overwritten (except `delivered` → `read`). Plus the stores the
 * webhook handler and the client keep: last status per message, and mirrored opt-outs.
 */
import { MESSAGE_STATUSES, type MessageStatus } from "./schemas.js";

/**
 * Position of each status in the lifecycle. Final statuses share a rank, so none replaces
 * another; `read` (WhatsApp/RCS) follows `delivered`; `partially_delivered` may still become
 * delivered or undelivered.
 * @public
 */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  scheduled: 0,
  accepted: 1,
  queued: 2,
  sending: 3,
  sent: 4,
  partially_delivered: 5,
  delivered: 6,
  undelivered: 6,
  failed: 6,
  canceled: 6,
  read: 7,
  receiving: 1,
  received: 6,
};

/** Statuses after which nothing changes (shared/vendors/twilio.md §2). @public */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set<MessageStatus>(["delivered", "undelivered", "failed", "read", "canceled", "received"]);

/** True for a status Twilio documents. @public */
export function isKnownStatus(status: string): status is MessageStatus {
  return (MESSAGE_STATUSES as readonly string[]).includes(status);
}

/** True for a final status. @public */
export function isFinalStatus(status: string): boolean {
  return FINAL_STATUSES.has(status as MessageStatus);
}

/**
 * Whether `next` may replace `current`: only a later lifecycle step does. The same status
 * again, an earlier one, or one final status after another returns false.
 * @example isStatusAdvance("delivered", "sent") // false: a late "sent" callback
 * @public
 */
export function isStatusAdvance(current: MessageStatus | undefined, next: MessageStatus): boolean {
  if (current === undefined) return true;
  return STATUS_RANK[next] > STATUS_RANK[current];
}

/**
 * The last status applied per message. `advance` must be atomic in a shared store (a Redis
 * implementation compares ranks in a Lua script), so two workers never both apply.
 * @public
 */
export interface MessageStatusStore {
  /** The last status applied for `messageSid`. */
  get(messageSid: string): Promise<MessageStatus | undefined>;
  /** Apply `status` when it advances the stored one; returns whether it did. */
  advance(messageSid: string, status: MessageStatus): Promise<boolean>;
}

/** Bounded insertion-ordered map: the oldest entries go first. */
function bounded<V>(maxEntries: number) {
  const map = new Map<string, V>();
  return {
    get: (key: string) => map.get(key),
    set(key: string, value: V) {
      map.delete(key);
      map.set(key, value);
      while (map.size > maxEntries) map.delete(map.keys().next().value as string);
    },
    delete: (key: string) => map.delete(key),
    has: (key: string) => map.has(key),
    get size() {
      return map.size;
    },
  };
}

/** A {@link MessageStatusStore} in process memory (one process; the oldest of `maxEntries` are forgotten). @public */
export function createMemoryStatusStore(options: { maxEntries?: number } = {}): MessageStatusStore {
  const statuses = bounded<MessageStatus>(options.maxEntries ?? 100_000);
  return {
    async get(sid) {
      return statuses.get(sid);
    },
    async advance(sid, status) {
      if (!isStatusAdvance(statuses.get(sid), status)) return false;
      statuses.set(sid, status);
      return true;
    },
  };
}

/**
 * Recipients who texted STOP, mirrored locally (Twilio blocks them with 21610 anyway): the
 * client refuses to send to them before any request, and the webhook handler updates the list
 * on STOP / START. Keyed by recipient address (E.164 or `whatsapp:+…`).
 * @public
 */
export interface OptOutStore {
  /** Whether `recipient` has opted out. */
  isOptedOut(recipient: string): Promise<boolean>;
  /** Record an opt-out. */
  optOut(recipient: string): Promise<void>;
  /** Record an opt-in (START). */
  optIn(recipient: string): Promise<void>;
}

/** An {@link OptOutStore} in process memory, optionally seeded. @public */
export function createMemoryOptOutStore(initial: Iterable<string> = []): OptOutStore & { readonly recipients: ReadonlySet<string> } {
  const recipients = new Set<string>(initial);
  return {
    recipients,
    async isOptedOut(recipient) {
      return recipients.has(recipient);
    },
    async optOut(recipient) {
      recipients.add(recipient);
    },
    async optIn(recipient) {
      recipients.delete(recipient);
    },
  };
}

/** A bounded map, exported for the webhook handler's reply cache. @internal */
export const boundedMap = bounded;
