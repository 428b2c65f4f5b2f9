/**
 * @connect/bpo — the BPO legacy lead system for the Connect Integration SDK: REST sync of
 * projects, contacts, corporate entities and documents, and the nightly batch import of
 * CSV/JSON exports from a folder or S3 (any other storage, such as SFTP, plugs in).
 */
export { BPO_POLICY_DEFAULTS, createBpoClient, DEFAULT_SYNC_SOURCE } from "./client.js";
export type { BpoClient, BpoClientOptions, PagedResource, Upsert } from "./client.js";
export { DEFAULT_API_KEY_SECRET } from "./auth.js";
export { BPO_VENDOR, BpoExportFormatError, BpoImportAbortedError, BpoReadOnlyError, classifyBpoError } from "./errors.js";
export { BPO_DEFAULT_PATHS, type BpoPaths } from "./operations/paths.js";
export { listProjects, upsertProject } from "./operations/projects.js";
export { listContacts, upsertContact } from "./operations/contacts.js";
export { listEntities, upsertEntity } from "./operations/entities.js";
export { listDocuments } from "./operations/documents.js";
export {
  BpoDocument,
  Contact,
  ContactPage,
  ContactType,
  DEFAULT_PAGE_SIZE,
  DocumentPage,
  Entity,
  EntityPage,
  EntityType,
  KNOWN_PROJECT_STATUSES,
  ListContactsInput,
  ListDocumentsInput,
  ListEntitiesInput,
  ListProjectsInput,
  Pagination,
  Project,
  ProjectPage,
  ProjectStatus,
  SubmittedBy,
  SyncMetadata,
  UpsertContactInput,
  UpsertEntityInput,
  UpsertProjectInput,
  UpsertResult,
} from "./schemas.js";
export {
  IMPORT_OPERATION,
  importBpoExport,
  importLatestBpoExport,
  ROW_OPERATION,
  type BpoImportCheckpoint,
  type BpoImportOptions,
  type BpoImportProgress,
  type BpoImportReport,
  type BpoImportStore,
  type RowProblem,
  type StoreCallContext,
} from "./import/import.js";
export {
  DEFAULT_CONFLICT_RULES,
  resolveConflict,
  type ConflictDecision,
  type ConflictReason,
  type ConflictRules,
  type StoredProjectState,
  type TimeValue,
} from "./import/conflict.js";
export {
  BPO_EXPORT_FIELDS,
  normalizeHeader,
  REQUIRED_EXPORT_FIELDS,
  type BpoExportField,
  type BpoExportMapping,
  type BpoProjectRecord,
} from "./import/row.js";
export {
  createExportReader,
  EXPORT_FILE_PATTERN,
  exportFile,
  exportFileFromContent,
  folderExportReader,
  localExportFile,
  parseExportFileName,
  type BpoExportFile,
  type BpoExportFormat,
  type BpoExportReader,
  type ExportFileSource,
  type ExportReaderOptions,
  type ExportStorage,
} from "./exports/files.js";
export { mapS3Error, S3_READER_POLICY_DEFAULTS, s3ExportReader, type S3ExportReader, type S3ExportReaderOptions } from "./exports/s3.js";
