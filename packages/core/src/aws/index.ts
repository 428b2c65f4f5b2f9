/**
 * @connect/core/aws — AWS-backed parts of core, kept out of the main entry so hosts that
 * do not use AWS never load the AWS SDK (`@aws-sdk/client-secrets-manager` is an optional peer).
 */
export { awsSecretsManager, type AwsSecretsManagerOptions, type AwsSecretsManagerProvider } from "./secrets-manager.js";
export { GET_SECRET_OPERATION, mapSecretsManagerError, SECRETS_MANAGER_VENDOR } from "./errors.js";
