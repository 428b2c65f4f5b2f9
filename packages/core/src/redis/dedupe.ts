/**
 * Webhook event dedupe in Redis: `SET key 1 NX PX ttl`, `EXISTS`, `DEL`. When Redis is down
 * the store throws `StoreUnavailableError` and the webhook receiver degrades to at-least-once
 * (it processes the event and logs), because refusing every delivery would lose nothing but
 * stall every vendor's retries; handlers should tolerate a rare duplicate.
 */
import type { DedupeStore } from "@connect/core";
import { guard, prefixOf, type RedisStoreOptions } from "./connection.js";

const COMPONENT = "dedupe";

/**
 * A {@link DedupeStore} shared by every worker through Redis.
 * @example
 * const receiver = createSendGridWebhookReceiver({ ..., dedupe: createRedisDedupeStore({ redis }) });
 * @public
 */
export function createRedisDedupeStore(options: RedisStoreOptions): DedupeStore {
  const { redis } = options;
  const prefix = `${prefixOf(options)}seen:`;
  return {
    seen: (id, ttlMs) => guard(COMPONENT, redis, async () => (await redis.set(prefix + id, "1", "PX", Math.max(1, Math.round(ttlMs)), "NX")) !== "OK"),
    has: (id) => guard(COMPONENT, redis, async () => (await redis.exists(prefix + id)) === 1),
    forget: (id) =>
      guard(COMPONENT, redis, async () => {
        await redis.del(prefix + id);
      }),
  };
}
