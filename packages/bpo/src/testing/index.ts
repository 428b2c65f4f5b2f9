/**
 * @connect/bpo/testing — a stateful BPO REST fake (msw handlers), an export-file generator
 * with messy rows, an S3 fake for the export readers, and an in-memory import store.
 */
export {
  createBpoFake,
  type BpoFake,
  type BpoFakeOptions,
  type FakeContact,
  type FakeDocument,
  type FakeEntity,
  type FakeErrorDetail,
  type FakeFailure,
} from "./fake.js";
export { createRandom, firestoreId, generateProjects, type FakeProject, type GenerateProjectsOptions } from "./data.js";
export {
  MESSY_KINDS,
  renderBpoExport,
  writeBpoExport,
  type BpoExportOptions,
  type ExportHeaderStyle,
  type ExportStats,
  type MessyKind,
  type WriteBpoExportOptions,
  type WrittenExport,
} from "./export-writer.js";
export { createS3Fake, type FakeS3Failure, type FakeS3Object, type S3Fake, type S3FakeOptions } from "./s3-fake.js";
export { createMemoryImportStore, type MemoryImportStore, type MemoryImportStoreOptions, type MemoryStoredProject } from "./memory-store.js";
