import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// Tests import every @connect package from its source, so a change is tested without a
// rebuild; the consumer tests in packages/core/test/dist.test.ts import the built output.
export const alias = [
  { find: /^@connect\/core$/, replacement: `${root}packages/core/src/index.ts` },
  { find: /^@connect\/core\/(testing|aws|redis)$/, replacement: `${root}packages/core/src/$1/index.ts` },
  { find: /^@connect\/jobs\/(bullmq|sqs)$/, replacement: `${root}packages/jobs/src/$1/index.ts` },
  { find: /^@connect\/([a-z]+)\/(testing|jobs)$/, replacement: `${root}packages/$1/src/$2/index.ts` },
  { find: /^@connect\/([a-z]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    passWithNoTests: true,
    // Vitest's default (cores − 1) is a single worker on the 2-core CI machines, which runs the
    // crash suites (≈ 4 min, mostly waiting on child processes) and everything else in series.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        resolve: { alias },
        test: { name: "core", root: "packages/core", include: ["test/**/*.test.ts"], testTimeout: 20_000 },
      },
      ...["twilio", "sendgrid", "docusign", "authentisign", "textract", "quickbooks", "bpo", "jobs", "ses", "mailgun", "xero"].map((name) => ({
        resolve: { alias },
        test: { name, root: `packages/${name}`, include: ["test/**/*.test.ts"], testTimeout: 20_000 },
      })),
      {
        resolve: { alias },
        test: { name: "repo", root: "test", include: ["**/*.test.ts"], exclude: ["interop/**", "**/node_modules/**"], testTimeout: 60_000 },
      },
      {
        // The vendors' official SDKs (devDependencies of the private test/interop workspace only)
        // driven against the fakes.
        resolve: { alias },
        test: { name: "interop", root: "test/interop", include: ["**/*.test.ts"], exclude: ["**/node_modules/**"], testTimeout: 30_000 },
      },
      {
        resolve: { alias },
        test: { name: "examples", root: "examples", include: ["**/*.test.ts"], exclude: ["**/node_modules/**"], testTimeout: 60_000 },
      },
    ],
  },
});
