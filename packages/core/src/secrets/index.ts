/**
 * Secrets: the `SecretProvider` contract and its environment, static and caching
 * implementations, plus helpers to use a rotated secret. AWS Secrets Manager lives in
 * the `@connect/core/aws` subpath so hosts without AWS never load the AWS SDK.
 */
export type { SecretGetOptions, SecretProvider } from "./provider.js";
export { envSecrets, toEnvVariableName, type EnvSecretsOptions } from "./env.js";
export { staticSecrets } from "./static.js";
export { cachedSecrets, DEFAULT_SECRET_TTL_MS, type CachedSecretProvider, type CachedSecretsOptions } from "./cached.js";
export { secretValue, withRotation, type SecretValue, type WithRotationOptions } from "./rotation.js";
