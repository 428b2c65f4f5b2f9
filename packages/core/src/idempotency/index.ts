/** Idempotency: key derivation, stores, single-flight, and webhook event dedupe. */
export { canonicalJson, deriveIdempotencyKey, IDEMPOTENCY_KEY_PREFIX, type IdempotencyKeyParts } from "./key.js";
export {
  createMemoryIdempotencyStore,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyBegin,
  type IdempotencyLookup,
  type IdempotencyStore,
  type IdempotencyWaitOptions,
  type MemoryIdempotencyStoreOptions,
} from "./store.js";
export { singleFlight, type SingleFlight } from "./single-flight.js";
export { withIdempotency, type WithIdempotencyOptions } from "./with-idempotency.js";
export { createMemoryDedupeStore, type DedupeStore, type MemoryDedupeStoreOptions } from "./dedupe.js";
