/**
 * Secrets from environment variables, read at lookup time so a restarted sidecar or a
 * re-exported variable is picked up without a cache to flush.
 */
import { ValidationError } from "../errors.js";
import { registerSecret } from "../redact.js";
import { assertSecretName, throwIfAborted, type SecretProvider } from "./provider.js";

/** Options of {@link envSecrets}. @public */
export interface EnvSecretsOptions {
  /** Prepended to the variable name, e.g. `CONNECT_` turns `twilio.auth-token` into `CONNECT_TWILIO_AUTH_TOKEN`. */
  prefix?: string | undefined;
  /** The environment to read (default `process.env`, read at every lookup). */
  env?: Record<string, string | undefined> | undefined;
  /** Map a secret name to its variable name; default upper-cases it and turns other characters than A-Z, 0-9 into `_`. */
  variableName?: ((name: string) => string) | undefined;
}

/** The default secret-name → variable-name mapping: `twilio.auth-token` → `TWILIO_AUTH_TOKEN`. @public */
export function toEnvVariableName(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();
}

/**
 * Secrets read from environment variables. A missing or empty variable rejects with a
 * `ValidationError` naming the variable (never a value).
 * @example
 * const secrets = envSecrets({ prefix: "CONNECT_" });
 * await secrets.get("twilio.auth-token"); // reads CONNECT_TWILIO_AUTH_TOKEN
 * @public
 */
export function envSecrets(options: EnvSecretsOptions = {}): SecretProvider {
  const prefix = options.prefix ?? "";
  const mapName = options.variableName ?? toEnvVariableName;
  return {
    async get(name, getOptions) {
      assertSecretName(name, "envSecrets");
      throwIfAborted(getOptions?.signal);
      const variable = `${prefix}${mapName(name)}`;
      const env = options.env ?? process.env;
      const value = env[variable];
      if (value === undefined || value === "") {
        const state = value === undefined ? "is not set" : "is empty";
        throw new ValidationError(`Secret "${name}": environment variable ${variable} ${state}; set it before starting the host`, {
          issues: [{ path: variable, message: state, code: "missing_secret" }],
        });
      }
      registerSecret(value);
      return value;
    },
  };
}
