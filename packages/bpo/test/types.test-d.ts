// Compile-time checks of the public surface (checked by `tsc -p tsconfig.json`).
import {
  createBpoClient,
  importBpoExport,
  resolveConflict,
  type BpoImportReport,
  type BpoImportStore,
  type BpoProjectRecord,
  type Contact,
  type Pagination,
  type Project,
  type UpsertResult,
} from "@connect/bpo";
import { createMemoryImportStore } from "@connect/bpo/testing";
import { expectTypeOf } from "vitest";

const bpo = createBpoClient({ baseUrl: "https://bpo.example", apiKey: "k" });

expectTypeOf(bpo.projects.list).returns.resolves.toEqualTypeOf<{ data: Project[]; pagination: Pagination }>();
expectTypeOf(bpo.projects.listAll).returns.toEqualTypeOf<AsyncGenerator<Project, void, undefined>>();
expectTypeOf(bpo.contacts.listAll).returns.toEqualTypeOf<AsyncGenerator<Contact, void, undefined>>();
expectTypeOf(bpo.projects.upsert).returns.resolves.toEqualTypeOf<UpsertResult>();
expectTypeOf(bpo.readOnly).toEqualTypeOf<boolean>();

void bpo.projects.list({ updatedSince: new Date(), status: ["LEAD", "FEASIBILITY"], limit: 100 });
// @ts-expect-error the query is camelCase (updatedSince), not the wire name
void bpo.projects.list({ updated_since: "2024-06-01T00:00:00Z" });
// @ts-expect-error external_id is required on an upsert
void bpo.projects.upsert({ address: "1 Main St", status: "LEAD" });
// @ts-expect-error contacts are builders, brokers or landowners
void bpo.contacts.upsert({ external_id: "c", type: "ARCHITECT", name: "x" });
// @ts-expect-error documents are read-only
void bpo.documents.upsert;
// @ts-expect-error listAll starts at the beginning (no offset)
void bpo.projects.listAll({ offset: 5 });

const store: BpoImportStore = createMemoryImportStore();
expectTypeOf(importBpoExport("bpo_export_2024-06-03.csv", { store })).resolves.toEqualTypeOf<BpoImportReport>();
expectTypeOf<BpoProjectRecord["sourceUpdatedAt"]>().toEqualTypeOf<string>();
expectTypeOf(resolveConflict({ status: "LEAD", updatedAt: new Date() }, undefined).action).toEqualTypeOf<"create" | "update" | "skip">();
// @ts-expect-error a store needs create and update too
void importBpoExport("x.csv", { store: { findByExternalId: async () => undefined } });
