/**
 * Document types: a query set (sent as QueriesConfig with Pages ["*"], so every page is asked,
 * not only page 1 — shared/vendors/textract.md §2), normalisers per field and a typed schema.
 * Extraction picks, per alias, the highest-confidence answer over all pages, normalises it,
 * flags low-confidence or unrecognisable values for review and averages the confidence.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { KeyValue, QueryAnswer } from "./blocks.js";
import type { Geometry } from "./geometry.js";
import {
  toBoolean,
  toCurrency,
  toDate,
  toFeet,
  toFloodZone,
  toIdentifier,
  toInteger,
  toList,
  toPercent,
  toSquareFeet,
  toText,
  type Normaliser,
} from "./normalise.js";
import type { Adapter } from "./schemas.js";

/** One field of a document type. @public */
export interface FieldSpec<T = unknown> {
  /** Query alias (A–Z, 0–9, _), also the field's key in the output. */
  alias: string;
  /** The natural-language query sent to Textract. */
  question: string;
  /** Turns the answer text into the typed value. */
  normalise: Normaliser<T>;
  /** Form keys to fall back on when the query has no answer (case-insensitive, trailing ":" ignored). */
  keys?: readonly string[];
}

/** A document type: its fields and the schema of the typed result. @public */
export interface DocumentType<TFields extends z.ZodType = z.ZodType> {
  id: string;
  fields: readonly FieldSpec[];
  /** Schema of the typed fields object (every field optional: a missing answer is `undefined`). */
  schema: TFields;
  /** The custom adapter (AdaptersConfig) to analyse this type with, unless a call names its own. */
  adapter?: Adapter | undefined;
}

/** One extracted field with its evidence. @public */
export interface ExtractedField {
  value: unknown;
  raw: string | undefined;
  confidence: number | undefined;
  page: number | undefined;
  source: "query" | "form" | "none";
  /** True when missing, unrecognisable or below the confidence threshold. */
  needsReview: boolean;
  /** `Id` of the block the text came from: the QUERY_RESULT, or the form's VALUE block; `undefined` when none (or not known). */
  blockId?: string | undefined;
  /** Where that block is on its page, to show the evidence to a reviewer. */
  geometry?: Geometry | undefined;
}

/** What {@link extractFields} reads of a query answer: a parsed {@link QueryAnswer}, or one built by hand. @public */
export type ExtractionAnswer = Pick<QueryAnswer, "alias" | "question" | "text" | "confidence" | "page"> & Partial<Pick<QueryAnswer, "answerId" | "geometry">>;

/** What {@link extractFields} reads of a form key–value: a parsed {@link KeyValue}, or one built by hand. @public */
export type ExtractionKeyValue = Pick<KeyValue, "key" | "value" | "keyConfidence" | "valueConfidence" | "page"> &
  Partial<Pick<KeyValue, "selected" | "valueId" | "valueGeometry">>;

/** The typed extraction of one document. @public */
export interface Extraction<T = Record<string, unknown>> {
  documentType: string;
  /** Typed values (validated by the document type's schema). */
  data: T;
  fields: Record<string, ExtractedField>;
  /** Mean confidence of the answered fields (undefined when none answered). */
  averageConfidence: number | undefined;
  /** Aliases flagged for human review. */
  needsReview: string[];
}

/** Options of {@link extractFields}. @public */
export interface ExtractOptions {
  /** Confidence (0–100) below which a field is flagged for review. Default 80. */
  lowConfidenceThreshold?: number;
}

function field<T>(alias: string, question: string, normalise: Normaliser<T>, keys?: readonly string[]): FieldSpec<T> {
  return keys ? { alias, question, normalise, keys } : { alias, question, normalise };
}

const str = lazySchema(() =>
  z.string().optional(),
);
const num = lazySchema(() =>
  z.number().optional(),
);
const bool = lazySchema(() =>
  z.boolean().optional(),
);
const list = lazySchema(() =>
  z.array(z.string()).optional(),
);
const date = lazySchema(() =>
  z.iso.date().optional(),
);

/** Boundary survey. @public */
export const SurveyFields = lazySchema(() =>
  z.object({
  PARCEL_NUMBER: unlazy(str),
  LOT_SIZE_SQFT: unlazy(num),
  FLOOD_ZONE: unlazy(str),
  FRONT_SETBACK_FT: unlazy(num),
  SIDE_SETBACK_FT: unlazy(num),
  REAR_SETBACK_FT: unlazy(num),
  EASEMENTS: unlazy(list),
  OWNER: unlazy(str),
  SURVEY_DATE: unlazy(date),
}),
);
/** Typed survey fields. @public */
export type SurveyFields = z.infer<typeof SurveyFields>;

/** Title report / commitment. @public */
export const TitleReportFields = lazySchema(() =>
  z.object({
  PARCEL_NUMBER: unlazy(str),
  OWNER: unlazy(str),
  LEGAL_DESCRIPTION: unlazy(str),
  LIENS: unlazy(list),
  TOTAL_LIEN_AMOUNT: unlazy(num),
  EASEMENTS: unlazy(list),
  EFFECTIVE_DATE: unlazy(date),
}),
);
/** Typed title report fields. @public */
export type TitleReportFields = z.infer<typeof TitleReportFields>;

/** Arborist report. @public */
export const ArboristReportFields = lazySchema(() =>
  z.object({
  TREE_COUNT: unlazy(num),
  PROTECTED_TREE_COUNT: unlazy(num),
  TREES_TO_REMOVE: unlazy(num),
  SPECIES: unlazy(list),
  MITIGATION_REQUIRED: unlazy(bool),
  ARBORIST: unlazy(str),
  REPORT_DATE: unlazy(date),
}),
);
/** Typed arborist report fields. @public */
export type ArboristReportFields = z.infer<typeof ArboristReportFields>;

/** Building permit application. @public */
export const PermitApplicationFields = lazySchema(() =>
  z.object({
  PERMIT_NUMBER: unlazy(str),
  APPLICANT: unlazy(str),
  PROJECT_ADDRESS: unlazy(str),
  PARCEL_NUMBER: unlazy(str),
  PERMIT_FEE: unlazy(num),
  VALUATION: unlazy(num),
  OWNER_BUILDER: unlazy(bool),
  APPLICATION_DATE: unlazy(date),
}),
);
/** Typed permit application fields. @public */
export type PermitApplicationFields = z.infer<typeof PermitApplicationFields>;

/** Construction draw inspection report. @public */
export const InspectionReportFields = lazySchema(() =>
  z.object({
  INSPECTOR: unlazy(str),
  INSPECTION_DATE: unlazy(date),
  COMPLETION_PERCENTAGE: unlazy(num),
  PASSED: unlazy(bool),
  DEFICIENCIES: unlazy(list),
  NEXT_INSPECTION_DATE: unlazy(date),
}),
);
/** Typed inspection report fields. @public */
export type InspectionReportFields = z.infer<typeof InspectionReportFields>;

/** The five built-in document types of the platform. @public */
export const documentTypes = {
  SURVEY: {
    id: "SURVEY",
    schema: SurveyFields,
    fields: [
      field("PARCEL_NUMBER", "What is the parcel number (APN)?", toIdentifier, ["Parcel Number", "APN", "Parcel No"]),
      field("LOT_SIZE_SQFT", "What is the lot size or lot area?", toSquareFeet, ["Lot Size", "Lot Area"]),
      field("FLOOD_ZONE", "What is the flood zone?", toFloodZone, ["Flood Zone"]),
      field("FRONT_SETBACK_FT", "What is the front setback?", toFeet, ["Front Setback"]),
      field("SIDE_SETBACK_FT", "What is the side setback?", toFeet, ["Side Setback"]),
      field("REAR_SETBACK_FT", "What is the rear setback?", toFeet, ["Rear Setback"]),
      field("EASEMENTS", "What easements are shown?", toList, ["Easements"]),
      field("OWNER", "Who is the owner of record?", toText, ["Owner"]),
      field("SURVEY_DATE", "What is the date of the survey?", toDate, ["Survey Date", "Date of Survey"]),
    ],
  } satisfies DocumentType<typeof SurveyFields>,
  TITLE_REPORT: {
    id: "TITLE_REPORT",
    schema: TitleReportFields,
    fields: [
      field("PARCEL_NUMBER", "What is the parcel number (APN)?", toIdentifier, ["Parcel Number", "APN"]),
      field("OWNER", "Who is the vested owner?", toText, ["Vested Owner", "Owner"]),
      field("LEGAL_DESCRIPTION", "What is the legal description?", toText, ["Legal Description"]),
      field("LIENS", "What liens are recorded?", toList, ["Liens"]),
      field("TOTAL_LIEN_AMOUNT", "What is the total amount of liens?", toCurrency, ["Total Lien Amount"]),
      field("EASEMENTS", "What easements are listed?", toList, ["Easements"]),
      field("EFFECTIVE_DATE", "What is the effective date of the report?", toDate, ["Effective Date"]),
    ],
  } satisfies DocumentType<typeof TitleReportFields>,
  ARBORIST_REPORT: {
    id: "ARBORIST_REPORT",
    schema: ArboristReportFields,
    fields: [
      field("TREE_COUNT", "How many trees were surveyed?", toInteger, ["Total Trees"]),
      field("PROTECTED_TREE_COUNT", "How many protected trees are there?", toInteger, ["Protected Trees"]),
      field("TREES_TO_REMOVE", "How many trees are proposed for removal?", toInteger, ["Trees to Remove"]),
      field("SPECIES", "What tree species are present?", toList, ["Species"]),
      field("MITIGATION_REQUIRED", "Is mitigation required?", toBoolean, ["Mitigation Required"]),
      field("ARBORIST", "What is the name of the arborist?", toText, ["Arborist"]),
      field("REPORT_DATE", "What is the date of the report?", toDate, ["Report Date", "Date"]),
    ],
  } satisfies DocumentType<typeof ArboristReportFields>,
  PERMIT_APPLICATION: {
    id: "PERMIT_APPLICATION",
    schema: PermitApplicationFields,
    fields: [
      field("PERMIT_NUMBER", "What is the permit number?", toIdentifier, ["Permit Number", "Permit No"]),
      field("APPLICANT", "What is the applicant's name?", toText, ["Applicant"]),
      field("PROJECT_ADDRESS", "What is the project address?", toText, ["Project Address", "Site Address"]),
      field("PARCEL_NUMBER", "What is the parcel number (APN)?", toIdentifier, ["Parcel Number", "APN"]),
      field("PERMIT_FEE", "What is the total permit fee?", toCurrency, ["Permit Fee", "Total Fees"]),
      field("VALUATION", "What is the project valuation?", toCurrency, ["Valuation"]),
      field("OWNER_BUILDER", "Is the owner the builder?", toBoolean, ["Owner Builder"]),
      field("APPLICATION_DATE", "What is the application date?", toDate, ["Application Date", "Date"]),
    ],
  } satisfies DocumentType<typeof PermitApplicationFields>,
  INSPECTION_REPORT: {
    id: "INSPECTION_REPORT",
    schema: InspectionReportFields,
    fields: [
      field("INSPECTOR", "What is the inspector's name?", toText, ["Inspector"]),
      field("INSPECTION_DATE", "What is the inspection date?", toDate, ["Inspection Date", "Date"]),
      field("COMPLETION_PERCENTAGE", "What is the percentage of completion?", toPercent, ["Percent Complete", "Completion"]),
      field("PASSED", "Did the inspection pass?", toBoolean, ["Result", "Passed"]),
      field("DEFICIENCIES", "What deficiencies were found?", toList, ["Deficiencies"]),
      field("NEXT_INSPECTION_DATE", "When is the next inspection?", toDate, ["Next Inspection"]),
    ],
  } satisfies DocumentType<typeof InspectionReportFields>,
} as const;

/** Ids of the built-in document types. @public */
export type BuiltInDocumentType = keyof typeof documentTypes;

/** A registry of document types: the five built-ins plus the host's own. @public */
export interface DocumentTypeRegistry {
  get(id: string): DocumentType | undefined;
  register(type: DocumentType): void;
  ids(): string[];
}

/** Create a registry preloaded with the built-in types; `register` adds or replaces one. @public */
export function createDocumentTypeRegistry(extra: readonly DocumentType[] = []): DocumentTypeRegistry {
  const types = new Map<string, DocumentType>(Object.values(documentTypes).map((t) => [t.id, t as DocumentType]));
  const register = (type: DocumentType): void => {
    const aliases = new Set<string>();
    for (const f of type.fields) {
      if (!/^[A-Z0-9_]{1,200}$/.test(f.alias)) throw new TypeError(`document type ${type.id}: alias "${f.alias}" must be A-Z, 0-9 or _`);
      if (aliases.has(f.alias)) throw new TypeError(`document type ${type.id}: alias "${f.alias}" is declared twice`);
      aliases.add(f.alias);
    }
    types.set(type.id, type);
  };
  extra.forEach(register);
  return { get: (id) => types.get(id), register, ids: () => [...types.keys()] };
}

/** The QueriesConfig for a document type, each query asked on every page (`Pages: ["*"]`). @public */
export function queriesFor(type: DocumentType): { Text: string; Alias: string; Pages: string[] }[] {
  return type.fields.map((f) => ({ Text: f.question, Alias: f.alias, Pages: ["*"] }));
}

function normaliseKey(key: string): string {
  return key.replace(/[:\s]+$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/**
 * Map query answers (and form key–values as fallback) onto a document type's typed fields.
 * @public
 */
export function extractFields<T extends z.ZodType>(
  type: DocumentType<T>,
  source: { queries: Iterable<ExtractionAnswer>; keyValues?: Iterable<ExtractionKeyValue> },
  options: ExtractOptions = {},
): Extraction<z.infer<T>> {
  const threshold = options.lowConfidenceThreshold ?? 80;
  const best = new Map<string, ExtractionAnswer>();
  for (const answer of source.queries) {
    if (answer.text === undefined) continue;
    const current = best.get(answer.alias);
    if (!current || (answer.confidence ?? 0) > (current.confidence ?? 0)) best.set(answer.alias, answer);
  }
  const forms = new Map<string, ExtractionKeyValue>();
  for (const kv of source.keyValues ?? []) {
    const key = normaliseKey(kv.key);
    const current = forms.get(key);
    if (!current || kv.valueConfidence > current.valueConfidence) forms.set(key, kv);
  }
  const fields: Record<string, ExtractedField> = {};
  const data: Record<string, unknown> = {};
  const confidences: number[] = [];
  const needsReview: string[] = [];
  for (const spec of type.fields) {
    let raw: string | undefined;
    let confidence: number | undefined;
    let page: number | undefined;
    let sourceKind: ExtractedField["source"] = "none";
    let blockId: string | undefined;
    let geometry: Geometry | undefined;
    const answer = best.get(spec.alias);
    if (answer) {
      ({ text: raw, confidence, page, answerId: blockId, geometry } = answer);
      sourceKind = "query";
    } else {
      const kv = spec.keys?.map((k) => forms.get(normaliseKey(k))).find((v) => v !== undefined && v.value !== "");
      if (kv) {
        raw = kv.value;
        confidence = Math.min(kv.keyConfidence, kv.valueConfidence);
        page = kv.page;
        blockId = kv.valueId;
        geometry = kv.valueGeometry;
        sourceKind = "form";
      }
    }
    const value = raw === undefined ? undefined : spec.normalise(raw);
    if (confidence !== undefined) confidences.push(confidence);
    const flagged = value === undefined || confidence === undefined || confidence < threshold;
    if (flagged) needsReview.push(spec.alias);
    fields[spec.alias] = { value, raw, confidence, page, source: sourceKind, needsReview: flagged, blockId, geometry };
    if (value !== undefined) data[spec.alias] = value;
  }
  const parsed = type.schema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const alias = String(issue.path[0]);
      if (fields[alias]) {
        fields[alias].needsReview = true;
        fields[alias].value = undefined;
        delete data[alias];
        if (!needsReview.includes(alias)) needsReview.push(alias);
      }
    }
  }
  const averageConfidence = confidences.length ? Math.round((confidences.reduce((a, b) => a + b, 0) / confidences.length) * 100) / 100 : undefined;
  return { documentType: type.id, data: data as z.infer<T>, fields, averageConfidence, needsReview };
}
