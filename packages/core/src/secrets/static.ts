/**
 * Secrets from a fixed record: configuration loaded by the host, or tests.
 */
import { ValidationError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { assertSecretName, throwIfAborted, type SecretProvider } from "./provider.js";

/**
 * Secrets from a fixed record; every value is registered for redaction at once, so it is
 * scrubbed even before it is first looked up. An unknown name rejects with a `ValidationError`.
 * @example
 * const secrets = staticSecrets({ "sendgrid.api-key": process.env.SENDGRID_KEY! });
 * @public
 */
export function staticSecrets(record: Readonly<Record<string, string>>): SecretProvider {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(record)) {
    if (typeof value !== "string") {
      throw new ValidationError(`staticSecrets: the value of "${name}" must be a string`, {
        issues: [{ path: name, message: "must be a string", code: "invalid_secret" }],
      });
    }
    registerSecret(value);
    values.set(name, value);
  }
  return {
    async get(name, options) {
      assertSecretName(name, "staticSecrets");
      throwIfAborted(options?.signal);
      const value = values.get(name);
      if (value === undefined || value === "") {
        const known = [...values.keys()].sort().join(", ") || "none";
        throw new ValidationError(`Secret "${name}" is not configured (configured secrets: ${known})`, {
          issues: [{ path: name, message: "not configured", code: "missing_secret" }],
        });
      }
      return value;
    },
  };
}
