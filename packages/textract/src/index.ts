/** @connect/textract — AWS Textract analysis jobs, block-graph parsing, typed extraction, SNS completion. */
export { createTextractClient, TEXTRACT_POLICY_DEFAULTS } from "./client.js";
export type { AnalyzeResult, DetectTextResult, JobResult, TextractClientInstance, TextractClientOptions, WaitOptions } from "./client.js";
export { createMemoryExtractionCache } from "./cache.js";
export type { CachedExtraction, ExtractionCache, MemoryExtractionCacheOptions } from "./cache.js";
export { collectText, parseTextStream } from "./text.js";
export type { DetectedText, TextLine, TextPage, TextWord } from "./text.js";
export { clientRequestToken } from "./operations/analysis.js";
export { mapTextractError, TextractJobFailedError } from "./errors.js";
export { toGeometry } from "./geometry.js";
export type { BoundingBox, Geometry, Point, WireGeometry } from "./geometry.js";
export { collectDocument, parseBlocks, parseBlockStream } from "./blocks.js";
export type {
  Block,
  BlockPage,
  CellEntityType,
  CoveredCell,
  KeyValue,
  Line,
  MergedCell,
  ParsedDocument,
  ParsedPage,
  QueryAnswer,
  QueryResult,
  SelectionElement,
  Table,
  TableCaption,
  TableCell,
} from "./blocks.js";
export {
  ArboristReportFields,
  createDocumentTypeRegistry,
  documentTypes,
  extractFields,
  InspectionReportFields,
  PermitApplicationFields,
  queriesFor,
  SurveyFields,
  TitleReportFields,
} from "./document-types.js";
export type {
  BuiltInDocumentType,
  DocumentType,
  DocumentTypeRegistry,
  ExtractedField,
  Extraction,
  ExtractionAnswer,
  ExtractionKeyValue,
  ExtractOptions,
  FieldSpec,
} from "./document-types.js";
export {
  toBoolean,
  toCurrency,
  toDate,
  toFeet,
  toFloodZone,
  toIdentifier,
  toInteger,
  toList,
  toNumber,
  toPercent,
  toSquareFeet,
  toText,
  type Normaliser,
} from "./normalise.js";
export { createSnsVerifier, DEFAULT_SNS_TOLERANCE_SECONDS, parseTextractNotification, snsStringToSign } from "./sns.js";
export type { ParsedNotification, SnsEnvelope, SnsVerifier, SnsVerifierOptions, TextractNotification } from "./sns.js";
export { createTextractNotificationReceiver } from "./notifications.js";
export type { TextractNotificationEvent, TextractNotificationReceiverOptions } from "./notifications.js";
export {
  Adapter,
  AnalysisPage,
  AnalyzeDocumentInput,
  AnalyzeDocumentOutput,
  DetectTextInput,
  FeatureType,
  GetAnalysisPageInput,
  JobStatus,
  Query,
  S3Location,
  StartAnalysisInput,
  StartAnalysisOutput,
  StartTextDetectionInput,
} from "./schemas.js";
