/**
 * @connect/core/aws — AWS-backed parts of core, kept out of the main entry so hosts that
 * do not use AWS never load the AWS SDK (`@aws-sdk/client-secrets-manager` is an optional peer,
 * imported on the first secret fetch only, so the SNS verifier works without it).
 */
export { awsSecretsManager, type AwsSecretsManagerOptions, type AwsSecretsManagerProvider } from "./secrets-manager.js";
export { GET_SECRET_OPERATION, mapSecretsManagerError, SECRETS_MANAGER_VENDOR } from "./errors.js";
export { lazyAwsSdk, type LazyAwsSdk, type LazyAwsSdkOptions, type LoadedAwsSdk } from "./lazy-sdk.js";
export {
  createSnsVerifier,
  DEFAULT_SNS_TOLERANCE_SECONDS,
  normaliseSnsEnvelope,
  SNS_CERTIFICATE_HOST,
  snsStringToSign,
  type SnsEnvelope,
  type SnsVerifier,
  type SnsVerifierOptions,
} from "./sns.js";
