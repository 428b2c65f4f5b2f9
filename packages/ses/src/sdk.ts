/**
 * The AWS SDK, loaded on the first SES call rather than at import: @aws-sdk/client-sesv2 is most
 * of the package's import time, and a process that only receives SES events (the SNS receiver,
 * the Mailer's `toMailEvents`) never needs it.
 */
import type { SESv2Client, SESv2ClientConfig } from "@aws-sdk/client-sesv2";
import { IntegrationError } from "@connect/core";

/** The SDK module. @internal */
export type SesSdkModule = typeof import("@aws-sdk/client-sesv2");

/** A client and the module its commands come from, once loaded. @internal */
export interface LoadedSesSdk {
  client: SESv2Client;
  aws: SesSdkModule;
}

/** An SESv2 SDK client made on first use. @internal */
export interface LazySesSdk {
  /** The loaded client and module, synchronously once loaded. */
  readonly loaded: LoadedSesSdk | undefined;
  /** Load the SDK (once) and build the client. */
  load(): Promise<LoadedSesSdk>;
  /** Destroy the client this handle built (never a client the host passed in). */
  destroy(): void;
}

/** How the SDK module is loaded; a seam for tests. @internal */
export const sesSdkLoader = { load: (): Promise<SesSdkModule> => import("@aws-sdk/client-sesv2") };

/** A handle that builds `new SESv2Client(config)` on first use, or wraps the host's own client. @internal */
export function lazySesSdk(config: SESv2ClientConfig, own?: SESv2Client): LazySesSdk {
  let loaded: LoadedSesSdk | undefined;
  let loading: Promise<LoadedSesSdk> | undefined;
  let destroyed = false;
  return {
    get loaded() {
      return loaded;
    },
    load() {
      if (loaded) return Promise.resolve(loaded);
      return (loading ??= sesSdkLoader.load().then(
        (aws) => {
          loaded = { client: own ?? new aws.SESv2Client(config), aws };
          if (destroyed && !own) loaded.client.destroy();
          return loaded;
        },
        (error: unknown) => {
          // Not kept: the next call tries again.
          loading = undefined;
          throw new IntegrationError(`ses: could not load @aws-sdk/client-sesv2 (${error instanceof Error ? error.message : String(error)}); is the install complete?`, {
            vendor: "ses",
            vendorCode: "SDK_NOT_LOADED",
            retryable: false,
            mayHaveReachedVendor: false,
            cause: error,
          });
        },
      ));
    },
    destroy() {
      destroyed = true;
      if (!own) loaded?.client.destroy();
    },
  };
}

/** The loaded SDK: synchronously when it is, else after loading. @internal */
export function sesSdk(sdk: LazySesSdk): LoadedSesSdk | Promise<LoadedSesSdk> {
  return sdk.loaded ?? sdk.load();
}
