import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteBackend } from "../src/index.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance("node:sqlite (file, WAL)", {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), "connect-jobs-"));
    const backend = createSqliteBackend({ path: join(dir, "jobs.db"), pollMs: 50 });
    return {
      backend,
      async cleanup() {
        await backend.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

describeBackendConformance("node:sqlite (:memory:)", {
  async create() {
    const backend = createSqliteBackend({ path: ":memory:", pollMs: 50 });
    return { backend, cleanup: () => backend.close() };
  },
});
