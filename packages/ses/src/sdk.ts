/**
 * The AWS SDK, loaded on the first SES call rather than at import: @aws-sdk/client-sesv2 is most
 * of the package's import time, and a process that only receives SES events (the SNS receiver,
 * the Mailer's `toMailEvents`) never needs it.
 */
import type { SESv2Client, SESv2ClientConfig } from "@aws-sdk/client-sesv2";
import { lazyAwsSdk, type LazyAwsSdk } from "@connect/core/aws";

/** The SDK module. @internal */
export type SesSdkModule = typeof import("@aws-sdk/client-sesv2");

/** An SESv2 SDK client made on first use (core's lazyAwsSdk). @internal */
export type LazySesSdk = LazyAwsSdk<SESv2Client, SesSdkModule>;

/** How the SDK module is loaded; a seam for tests. @internal */
export const sesSdkLoader = { load: (): Promise<SesSdkModule> => import("@aws-sdk/client-sesv2") };

/** A handle that builds `new SESv2Client(config)` on first use, or wraps the host's own client. @internal */
export function lazySesSdk(config: SESv2ClientConfig, own?: SESv2Client): LazySesSdk {
  return lazyAwsSdk({ vendor: "ses", packageName: "@aws-sdk/client-sesv2", load: () => sesSdkLoader.load(), create: (aws) => new aws.SESv2Client(config), own });
}
