import { serveHandlers, type ServedHandlers } from "@connect/core/testing";
import { afterEach, beforeEach } from "vitest";
import { createTextractClient, type TextractClientInstance, type TextractClientOptions } from "../src/index.js";
import { createTextractFake, sampleDocuments, type TextractFake, type TextractFakeOptions } from "../src/testing/index.js";

/** A fake on loopback and a client pointed at it, rebuilt for every test. */
export function useTextract(fakeOptions: TextractFakeOptions = {}, clientOptions: Partial<TextractClientOptions> = {}) {
  const state = {} as { fake: TextractFake; server: ServedHandlers; client: TextractClientInstance };
  beforeEach(async () => {
    state.fake = createTextractFake(fakeOptions);
    state.fake.putDocument("in-bucket", "surveys/lot14.pdf", sampleDocuments.SURVEY);
    state.server = await serveHandlers(state.fake.handlers);
    state.client = createTextractClient({
      region: "us-east-1",
      endpoint: state.server.url,
      credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake-secret-access-key-0123" },
      policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2, jitter: false }, limiter: false, breaker: false },
      ...clientOptions,
    });
  });
  afterEach(async () => {
    await state.fake.settled();
    await state.client.close();
    await state.server.close();
  });
  return state;
}

/** Bodies of the requests the server received for one Textract operation. */
export function bodies(server: ServedHandlers, operation: string): Record<string, unknown>[] {
  return server.requests.filter((r) => r.headers["x-amz-target"] === `Textract.${operation}`).map((r) => JSON.parse(r.text) as Record<string, unknown>);
}
