/**
 * BPO wire shapes (the platform's BPO spec, issue 10) as zod schemas, with inferred types.
 * The spec is the platform's own description of a Firebase-backed legacy system, not a
 * published vendor reference: shapes it names are modelled as given; what it leaves open
 * (contacts, entities, documents, error bodies, page-size cap) is marked `uncertain` and kept
 * lenient on the way in and configurable in the client.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";

/** Largest page the client asks for by default (the spec's example uses `limit=100`). @public */
export const DEFAULT_PAGE_SIZE = 100;

/** Project statuses the spec names; BPO may send others, which pass through as strings. @public */
export const KNOWN_PROJECT_STATUSES = ["LEAD", "FEASIBILITY", "ENTITLEMENT"] as const;

/** A project status: upper-case words joined by `_` (`LEAD`, `FEASIBILITY`, `UNDER_CONTRACT`). @public */
export const ProjectStatus = lazySchema(() =>
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an upper-case status such as LEAD or FEASIBILITY"),
);

/** Contact kinds the spec names (builders, brokers, landowners). @public */
export const ContactType = lazySchema(() =>
  z.enum(["BUILDER", "BROKER", "LANDOWNER"]),
);
/** A contact kind. @public */
export type ContactType = z.infer<typeof ContactType>;

const Timestamp = lazySchema(() =>
  z.union([z.date(), z.iso.datetime({ offset: true })]).transform((value) => (value instanceof Date ? value.toISOString() : value)),
);

const Limit = lazySchema(() =>
  z.number().int().min(1).max(1000),
);
const Offset = lazySchema(() =>
  z.number().int().min(0),
);

const StatusFilter = lazySchema(() =>
  z
  .union([unlazy(ProjectStatus), z.array(unlazy(ProjectStatus)).min(1)])
  .transform((value) => (Array.isArray(value) ? value : [value])),
);

/** `projects.list`: one page of projects changed since a time, optionally by status. @public */
export const ListProjectsInput = lazySchema(() =>
  z.strictObject({
  /** Only projects updated at or after this time (ISO 8601 with offset, or a Date). */
  updatedSince: unlazy(Timestamp).optional(),
  /** One status or several (sent comma-separated: `status=LEAD,FEASIBILITY`). */
  status: unlazy(StatusFilter).optional(),
  /** Page size, 1–1000 (the client's `pageSize`, 100 by default). */
  limit: unlazy(Limit).optional(),
  /** Rows to skip. Default 0. */
  offset: unlazy(Offset).optional(),
}),
);
/** Input of `projects.list`. @public */
export type ListProjectsInput = z.input<typeof ListProjectsInput>;

/** `pagination` of every list response. @public */
export const Pagination = lazySchema(() =>
  z.object({
  total: z.number().int().min(0),
  limit: z.number().int().min(0),
  offset: z.number().int().min(0),
  has_more: z.boolean(),
}),
);
/** `pagination` of every list response. @public */
export type Pagination = z.infer<typeof Pagination>;

/** Who submitted a lead. @public */
export const SubmittedBy = lazySchema(() =>
  z.object({ email: z.string().nullable(), name: z.string().nullable() }),
);

/** A BPO project as `GET /api/v1/projects` returns it. @public */
export const Project = lazySchema(() =>
  z.object({
  id: z.string(),
  /** The platform's project id, once a project was upserted from the platform. */
  external_id: z.string().nullable().optional(),
  address: z.string(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  zip: z.string().nullable(),
  status: z.string(),
  submitted_by: unlazy(SubmittedBy).nullable(),
  submitted_at: z.string().nullable(),
  purchase_price: z.number().nullable(),
  list_price: z.number().nullable(),
  notes: z.string().nullable(),
  assigned_to: z.string().nullable().optional(),
  created_at: z.string().optional(),
  /** Not in the spec's field list, but implied by `updated_since` and the conflict rule. */
  updated_at: z.string().optional(),
}),
);
/** A BPO project. @public */
export type Project = z.infer<typeof Project>;

/** A page of projects. @public */
export const ProjectPage = lazySchema(() =>
  z.object({ data: z.array(unlazy(Project)), pagination: unlazy(Pagination) }),
);
/** A page of projects. @public */
export type ProjectPage = z.infer<typeof ProjectPage>;

/** `metadata` of an upsert: where the write came from and when it was synced. @public */
export const SyncMetadata = lazySchema(() =>
  z.strictObject({
  source: z.string().min(1).max(64).optional(),
  sync_timestamp: unlazy(Timestamp).optional(),
}),
);

const Money = lazySchema(() =>
  z.number().finite().nonnegative(),
);
const State = lazySchema(() =>
  z.string().regex(/^[A-Z]{2}$/, "must be a two-letter state code (CA)"),
);
const Zip = lazySchema(() =>
  z.string().regex(/^\d{5}(-\d{4})?$/, "must be a ZIP code (94110 or 94110-1234)"),
);
const ExternalId = lazySchema(() =>
  z.string().trim().min(1).max(128),
);

/**
 * `projects.upsert`: POST /api/v1/projects. `external_id` is the platform's project id; a second
 * POST with the same `external_id` updates that project instead of creating another.
 * @public
 */
export const UpsertProjectInput = lazySchema(() =>
  z.strictObject({
  external_id: unlazy(ExternalId),
  address: z.string().trim().min(1).max(500),
  city: z.string().trim().min(1).max(200).optional(),
  state: unlazy(State).optional(),
  zip: unlazy(Zip).optional(),
  status: unlazy(ProjectStatus),
  /** The platform user the project is assigned to (an email or user id). */
  assigned_to: z.string().trim().min(1).max(320).optional(),
  purchase_price: unlazy(Money).optional(),
  /** Filled in by the client when absent: `source` from `syncSource`, `sync_timestamp` now. */
  metadata: unlazy(SyncMetadata).optional(),
}),
);
/** Input of `projects.upsert`. @public */
export type UpsertProjectInput = z.input<typeof UpsertProjectInput>;

/** What every upsert answers. @public */
export const UpsertResult = lazySchema(() =>
  z.object({
  id: z.string(),
  external_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
}),
);
/** What every upsert answers. @public */
export type UpsertResult = z.infer<typeof UpsertResult>;

/** `contacts.list` (uncertain path and filters): builders, brokers and landowners. @public */
export const ListContactsInput = lazySchema(() =>
  z.strictObject({
  updatedSince: unlazy(Timestamp).optional(),
  /** One contact kind or several (sent comma-separated). */
  type: z
    .union([unlazy(ContactType), z.array(unlazy(ContactType)).min(1)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional(),
  limit: unlazy(Limit).optional(),
  offset: unlazy(Offset).optional(),
}),
);
/** Input of `contacts.list`. @public */
export type ListContactsInput = z.input<typeof ListContactsInput>;

/** A contact (uncertain shape). @public */
export const Contact = lazySchema(() =>
  z.object({
  id: z.string(),
  external_id: z.string().nullable().optional(),
  type: z.string(),
  name: z.string(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  company: z.string().nullable().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
}),
);
/** A contact. @public */
export type Contact = z.infer<typeof Contact>;

/** A page of contacts. @public */
export const ContactPage = lazySchema(() =>
  z.object({ data: z.array(unlazy(Contact)), pagination: unlazy(Pagination) }),
);
/** A page of contacts. @public */
export type ContactPage = z.infer<typeof ContactPage>;

/** `contacts.upsert` (uncertain): POST with `external_id`, an upsert like projects. @public */
export const UpsertContactInput = lazySchema(() =>
  z.strictObject({
  external_id: unlazy(ExternalId),
  type: unlazy(ContactType),
  name: z.string().trim().min(1).max(200),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ().-]{7,20}$/, "must be a phone number")
    .optional(),
  company: z.string().trim().min(1).max(200).optional(),
  metadata: unlazy(SyncMetadata).optional(),
}),
);
/** Input of `contacts.upsert`. @public */
export type UpsertContactInput = z.input<typeof UpsertContactInput>;

/** Corporate entity kinds (uncertain). @public */
export const EntityType = lazySchema(() =>
  z.enum(["LLC", "CORPORATION", "PARTNERSHIP", "TRUST", "INDIVIDUAL", "OTHER"]),
);

/** `entities.list` (uncertain): corporate entities (the borrower LLCs, landowner trusts …). @public */
export const ListEntitiesInput = lazySchema(() =>
  z.strictObject({
  updatedSince: unlazy(Timestamp).optional(),
  limit: unlazy(Limit).optional(),
  offset: unlazy(Offset).optional(),
}),
);
/** Input of `entities.list`. @public */
export type ListEntitiesInput = z.input<typeof ListEntitiesInput>;

/** A corporate entity (uncertain shape). @public */
export const Entity = lazySchema(() =>
  z.object({
  id: z.string(),
  external_id: z.string().nullable().optional(),
  name: z.string(),
  entity_type: z.string(),
  state_of_formation: z.string().nullable().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
}),
);
/** A corporate entity. @public */
export type Entity = z.infer<typeof Entity>;

/** A page of entities. @public */
export const EntityPage = lazySchema(() =>
  z.object({ data: z.array(unlazy(Entity)), pagination: unlazy(Pagination) }),
);
/** A page of entities. @public */
export type EntityPage = z.infer<typeof EntityPage>;

/** `entities.upsert` (uncertain): POST with `external_id`. @public */
export const UpsertEntityInput = lazySchema(() =>
  z.strictObject({
  external_id: unlazy(ExternalId),
  name: z.string().trim().min(1).max(300),
  entity_type: unlazy(EntityType),
  state_of_formation: unlazy(State).optional(),
  metadata: unlazy(SyncMetadata).optional(),
}),
);
/** Input of `entities.upsert`. @public */
export type UpsertEntityInput = z.input<typeof UpsertEntityInput>;

/** `documents.list` (uncertain): a project's documents, read-only. @public */
export const ListDocumentsInput = lazySchema(() =>
  z.strictObject({
  /** BPO project id whose documents to list. */
  projectId: z.string().trim().min(1),
  updatedSince: unlazy(Timestamp).optional(),
  limit: unlazy(Limit).optional(),
  offset: unlazy(Offset).optional(),
}),
);
/** Input of `documents.list`. @public */
export type ListDocumentsInput = z.input<typeof ListDocumentsInput>;

/** A document attached to a project (uncertain shape). @public */
export const BpoDocument = lazySchema(() =>
  z.object({
  id: z.string(),
  project_id: z.string(),
  name: z.string(),
  type: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
  size_bytes: z.number().nullable().optional(),
  uploaded_at: z.string().nullable().optional(),
  updated_at: z.string().optional(),
}),
);
/** A document attached to a project. @public */
export type BpoDocument = z.infer<typeof BpoDocument>;

/** A page of documents. @public */
export const DocumentPage = lazySchema(() =>
  z.object({ data: z.array(unlazy(BpoDocument)), pagination: unlazy(Pagination) }),
);
/** A page of documents. @public */
export type DocumentPage = z.infer<typeof DocumentPage>;
