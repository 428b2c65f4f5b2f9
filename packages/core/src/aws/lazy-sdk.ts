/**
 * An AWS SDK client made on first use: the SDK module is imported on the first call rather than at
 * import (an @aws-sdk client is most of a package's import time), and a host's own client is used
 * as given. Shared by the AWS-backed vendor packages (Textract, SES).
 */
import { IntegrationError } from "../errors.js";

/** A client and the SDK module its commands come from. @public */
export interface LoadedAwsSdk<TClient, TModule> {
  client: TClient;
  aws: TModule;
}

/** A lazily made SDK client. @public */
export interface LazyAwsSdk<TClient, TModule> {
  /** The loaded client and module, synchronously once loaded. */
  readonly loaded: LoadedAwsSdk<TClient, TModule> | undefined;
  /** Load the SDK (once) and build the client; a failed load is tried again next time. */
  load(): Promise<LoadedAwsSdk<TClient, TModule>>;
  /** The loaded client and module: synchronously when loaded, else after loading. */
  get(): LoadedAwsSdk<TClient, TModule> | Promise<LoadedAwsSdk<TClient, TModule>>;
  /** Destroy the client this handle built, now or once it is built (never a client the host passed in). */
  destroy(): void;
}

/** Options of {@link lazyAwsSdk}. @public */
export interface LazyAwsSdkOptions<TClient, TModule> {
  /** Vendor id for the error a failed load gives (`textract`, `ses`). */
  vendor: string;
  /** The SDK package, named in that error. */
  packageName: string;
  /** Import the SDK module (a package's seam for tests). */
  load: () => Promise<TModule>;
  /** Build the client from the loaded module. */
  create: (aws: TModule) => TClient;
  /** A client the host made: used as given, never destroyed here. */
  own?: TClient | undefined;
}

/**
 * Make an AWS SDK client on first use.
 * @example
 * const sdk = lazyAwsSdk({ vendor: "ses", packageName: "@aws-sdk/client-sesv2", load: () => import("@aws-sdk/client-sesv2"), create: (aws) => new aws.SESv2Client(config) });
 * const { client, aws } = await sdk.get();
 * @public
 */
export function lazyAwsSdk<TClient extends { destroy(): void }, TModule>(options: LazyAwsSdkOptions<TClient, TModule>): LazyAwsSdk<TClient, TModule> {
  let loaded: LoadedAwsSdk<TClient, TModule> | undefined;
  let loading: Promise<LoadedAwsSdk<TClient, TModule>> | undefined;
  let destroyed = false;
  const load = (): Promise<LoadedAwsSdk<TClient, TModule>> => {
    if (loaded) return Promise.resolve(loaded);
    return (loading ??= options.load().then(
      (aws) => {
        loaded = { client: options.own ?? options.create(aws), aws };
        if (destroyed && !options.own) loaded.client.destroy();
        return loaded;
      },
      (error: unknown) => {
        // Not kept: the next call tries again.
        loading = undefined;
        throw new IntegrationError(`${options.vendor}: could not load ${options.packageName} (${error instanceof Error ? error.message : String(error)}); is the install complete?`, {
          vendor: options.vendor,
          vendorCode: "SDK_NOT_LOADED",
          retryable: false,
          mayHaveReachedVendor: false,
          cause: error,
        });
      },
    ));
  };
  return {
    get loaded() {
      return loaded;
    },
    load,
    get: () => loaded ?? load(),
    destroy() {
      destroyed = true;
      if (!options.own) loaded?.client.destroy();
    },
  };
}
