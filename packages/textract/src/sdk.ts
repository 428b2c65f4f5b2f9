/**
 * The AWS SDK, loaded on the first Textract call rather than at import: @aws-sdk/client-textract
 * is most of the package's import time, and a process that only receives completion
 * notifications or parses stored results never needs it.
 */
import { Readable } from "node:stream";
import type { TextractClient, TextractClientConfig } from "@aws-sdk/client-textract";
import { lazyAwsSdk, type LazyAwsSdk } from "@connect/core/aws";

/** The SDK module. @internal */
export type TextractSdkModule = typeof import("@aws-sdk/client-textract");

/** A Textract SDK client made on first use (core's lazyAwsSdk). @internal */
export type LazyTextractSdk = LazyAwsSdk<TextractClient, TextractSdkModule>;

/** How the SDK module is loaded; a seam for tests. @internal */
export const textractSdkLoader = { load: (): Promise<TextractSdkModule> => import("@aws-sdk/client-textract") };

/** A handle that builds `new TextractClient(config)` on first use, or wraps the host's own client. @internal */
export function lazyTextractSdk(config: TextractClientConfig, own?: TextractClient): LazyTextractSdk {
  return lazyAwsSdk({ vendor: "textract", packageName: "@aws-sdk/client-textract", load: () => textractSdkLoader.load(), create: (aws) => new aws.TextractClient(config), own });
}

/** What a command's middleware stack takes (the part this module uses). */
interface CommandStack {
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<{ response: unknown; output?: unknown }>) => (args: unknown) => Promise<{ response: unknown; output?: unknown }>, options: { step: "deserialize"; priority: "high" | "low"; name: string }): void;
  };
}

const parsedBodies = new WeakMap<object, Record<string, unknown>>();

/**
 * Read a successful Textract answer with `JSON.parse` instead of the SDK's schema-driven
 * deserializer (its walk over every block was most of the time of a result page). Textract's
 * answers are awsJson1_1: the body's members are the output's members, none of them a timestamp
 * or a blob, so the parsed body is the output (a member the model lacks is kept where the SDK would
 * drop it; the client's output schemas drop it next); the SDK still signs, sends, reads `$metadata` and
 * deserializes every error answer. Added per command, so a host's own client is left as it is.
 * @internal
 */
export function withJsonOutput<C extends object>(command: C): C {
  const stack = (command as unknown as CommandStack).middlewareStack;
  // Inner (next to the transport): a 2xx body is read and parsed here; the SDK's deserializer
  // then sees an empty object.
  stack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown } | undefined;
      if (!response || typeof response.statusCode !== "number" || response.statusCode < 200 || response.statusCode >= 300 || response.body === undefined) return result;
      const text = await readBody(response.body);
      const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new SyntaxError("textract: the answer is not a JSON object");
      parsedBodies.set(response, parsed as Record<string, unknown>);
      response.body = Readable.from([Buffer.from("{}")]);
      return result;
    },
    { step: "deserialize", priority: "low", name: "connectJsonOutputRead" },
  );
  // Outer: the parsed body becomes the output, with the SDK's `$metadata`.
  stack.add(
    (next) => async (args) => {
      const result = await next(args);
      const parsed = typeof result.response === "object" && result.response !== null ? parsedBodies.get(result.response) : undefined;
      if (!parsed) return result;
      const metadata = (result.output as { $metadata?: unknown } | undefined)?.$metadata;
      return { ...result, output: { ...parsed, $metadata: metadata } };
    },
    { step: "deserialize", priority: "high", name: "connectJsonOutputMerge" },
  );
  return command;
}

async function readBody(body: unknown): Promise<string> {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks).toString("utf8");
}
