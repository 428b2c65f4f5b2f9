/**
 * @connect/core/redis — distributed mode: one vendor quota, one idempotency store, one
 * webhook dedupe, one token (with one refresh) and one dead-letter stream across workers.
 * Needs `ioredis` (an optional peer dependency); the main entry never loads it.
 */
export { connectRedis, REDIS_CLIENT_DEFAULTS, type RedisClient, type RedisStoreOptions } from "./connection.js";
export { redisLimiter, type RedisLimiterOptions } from "./limiter.js";
export { createRedisIdempotencyStore, type RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from "./idempotency.js";
export { createRedisDedupeStore } from "./dedupe.js";
export { createRedisTokenStore, type RedisTokenStore, type RedisTokenStoreOptions } from "./tokens.js";
export { createRedisDeadLetterSink, type RedisDeadLetterSink, type RedisDeadLetterSinkOptions } from "./dlq.js";
