/**
 * The backend conformance suite on SQS: a standard queue on the SQS fake (@connect/jobs/testing)
 * served on loopback, reached by the real `@aws-sdk/client-sqs`, with a dedupe store (without one
 * SQS cannot report `created: false`; see createSqsBackend).
 */
import { createMemoryDedupeStore } from "@connect/core";
import { serveHandlers } from "@connect/core/testing";
import { createSqsBackend } from "../src/sqs/index.js";
import { createSqsFake } from "../src/testing/index.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance("SQS (standard queue on the fake)", {
  // Visibility timeouts are whole seconds (shared/vendors/sqs.md §6).
  leaseMs: 1_000,
  // SQS reports counts but not the age of its oldest message (a CloudWatch metric only).
  oldestAgeKnown: false,
  async create() {
    const fake = createSqsFake();
    const server = await serveHandlers(fake.handlers);
    fake.createQueue("conformance");
    const backend = createSqsBackend({
      client: { endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" }, maxAttempts: 2 },
      queueUrls: { conformance: `${server.url}/000000000000/conformance` },
      waitTimeSeconds: 1,
      dedupe: createMemoryDedupeStore(),
    });
    return {
      backend,
      async cleanup() {
        await backend.close();
        fake.close();
        await server.close();
      },
    };
  },
});
