/**
 * The AWS SDK, loaded on the first Textract call rather than at import: @aws-sdk/client-textract
 * is most of the package's import time, and a process that only receives completion
 * notifications or parses stored results never needs it.
 */
import type { TextractClient, TextractClientConfig } from "@aws-sdk/client-textract";
import { IntegrationError } from "@connect/core";

/** The SDK module. @internal */
export type TextractSdkModule = typeof import("@aws-sdk/client-textract");

/** A client and the module its commands come from, once loaded. @internal */
export interface LoadedTextractSdk {
  client: TextractClient;
  aws: TextractSdkModule;
}

/** A Textract SDK client made on first use. @internal */
export interface LazyTextractSdk {
  /** The loaded client and module, synchronously once loaded. */
  readonly loaded: LoadedTextractSdk | undefined;
  /** Load the SDK (once) and build the client. */
  load(): Promise<LoadedTextractSdk>;
  /** Destroy the client this handle built (never a client the host passed in). */
  destroy(): void;
}

/** How the SDK module is loaded; a seam for tests. @internal */
export const textractSdkLoader = { load: (): Promise<TextractSdkModule> => import("@aws-sdk/client-textract") };

/** A handle that builds `new TextractClient(config)` on first use, or wraps the host's own client. @internal */
export function lazyTextractSdk(config: TextractClientConfig, own?: TextractClient): LazyTextractSdk {
  let loaded: LoadedTextractSdk | undefined;
  let loading: Promise<LoadedTextractSdk> | undefined;
  return {
    get loaded() {
      return loaded;
    },
    load() {
      if (loaded) return Promise.resolve(loaded);
      return (loading ??= textractSdkLoader.load().then(
        (aws) => (loaded = { client: own ?? new aws.TextractClient(config), aws }),
        (error: unknown) => {
          // Not kept: the next call tries again.
          loading = undefined;
          throw new IntegrationError(`textract: could not load @aws-sdk/client-textract (${error instanceof Error ? error.message : String(error)}); is the install complete?`, {
            vendor: "textract",
            vendorCode: "SDK_NOT_LOADED",
            retryable: false,
            mayHaveReachedVendor: false,
            cause: error,
          });
        },
      ));
    },
    destroy() {
      if (!own) loaded?.client.destroy();
    },
  };
}

/** The loaded SDK: synchronously when it is, else after loading. @internal */
export function textractSdk(sdk: LazyTextractSdk): LoadedTextractSdk | Promise<LoadedTextractSdk> {
  return sdk.loaded ?? sdk.load();
}
