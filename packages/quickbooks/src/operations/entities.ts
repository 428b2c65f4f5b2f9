/**
 * Create, read, update (full or sparse, with SyncToken), delete and void for the accounting
 * entities (shared/vendors/quickbooks.md §3), declared once by a factory: every write is
 * `keyed` — it carries a `requestid` derived from the idempotency key, so a retry after a
 * timeout returns the first result instead of creating a second entity.
 */
import { defineOperation } from "@connect/core";
import { z } from "zod";
import {
  Bill,
  CreateBillInput,
  CreateCustomerInput,
  CreateInvoiceInput,
  CreateJournalEntryInput,
  CreatePaymentInput,
  Customer,
  DeletedEntity,
  EntityVersionInput,
  GetEntityInput,
  Invoice,
  Item,
  JournalEntry,
  Payment,
  UpdateBillInput,
  UpdateCustomerInput,
  UpdateInvoiceInput,
  UpdateJournalEntryInput,
  UpdatePaymentInput,
} from "../schemas.js";
import { companyPath, readQuery, unwrapEntity, writeQuery } from "./common.js";

interface EntitySpec<TCreate extends z.ZodType, TUpdate extends z.ZodType, TOutput extends z.ZodType> {
  /** Entity name as in the envelope and in queries (`Invoice`). */
  name: string;
  /** Resource name of the operations (`invoices`). */
  resource: string;
  create: TCreate;
  update: TUpdate;
  output: TOutput;
}

function crud<TCreate extends z.ZodType, TUpdate extends z.ZodType, TOutput extends z.ZodType>(spec: EntitySpec<TCreate, TUpdate, TOutput>) {
  const path = spec.name.toLowerCase();
  return {
    /** POST /{entity}: create; keyed by `requestid`. */
    create: defineOperation({
      id: `${spec.resource}.create`,
      input: spec.create,
      output: spec.output,
      safety: "keyed",
      request: (input, ctx) => ({ method: "POST", path: companyPath(ctx, path), query: writeQuery(ctx), body: { json: input } }),
      response: (response, _input, ctx) => unwrapEntity(response, spec.name, ctx),
    }),
    /** GET /{entity}/{id}. */
    get: defineOperation({
      id: `${spec.resource}.get`,
      input: GetEntityInput,
      output: spec.output,
      idempotent: true,
      request: (input, ctx) => ({ method: "GET", path: companyPath(ctx, path, input.id), query: readQuery(ctx) }),
      response: (response, _input, ctx) => unwrapEntity(response, spec.name, ctx),
    }),
    /** POST /{entity} with Id + SyncToken; sparse unless `sparse: false`. A stale SyncToken is `ConflictError` (5010). */
    update: defineOperation({
      id: `${spec.resource}.update`,
      input: spec.update,
      output: spec.output,
      safety: "keyed",
      request: (input, ctx) => {
        const body = input as Record<string, unknown>;
        return { method: "POST", path: companyPath(ctx, path), query: writeQuery(ctx), body: { json: { ...body, sparse: body.sparse ?? true } } };
      },
      response: (response, _input, ctx) => unwrapEntity(response, spec.name, ctx),
    }),
  };
}

function deletable(name: string, resource: string) {
  const path = name.toLowerCase();
  return {
    /** POST /{entity}?operation=delete with Id + SyncToken. */
    delete: defineOperation({
      id: `${resource}.delete`,
      input: EntityVersionInput,
      output: DeletedEntity,
      safety: "keyed",
      request: (input, ctx) => ({ method: "POST", path: companyPath(ctx, path), query: writeQuery(ctx, { operation: "delete" }), body: { json: { Id: input.id, SyncToken: input.syncToken } } }),
      response: (response, _input, ctx) => unwrapEntity(response, name, ctx),
    }),
  };
}

function voidable<TOutput extends z.ZodType>(name: string, resource: string, output: TOutput) {
  const path = name.toLowerCase();
  return {
    /** POST /{entity}?operation=void with Id + SyncToken: amounts become zero, the record stays. */
    void: defineOperation({
      id: `${resource}.void`,
      input: EntityVersionInput,
      output,
      safety: "keyed",
      request: (input, ctx) => ({ method: "POST", path: companyPath(ctx, path), query: writeQuery(ctx, { operation: "void" }), body: { json: { Id: input.id, SyncToken: input.syncToken } } }),
      response: (response, _input, ctx) => unwrapEntity(response, name, ctx),
    }),
  };
}

/** Customer operations (name-list entity: deactivate with `Active: false`, no delete). @public */
export const customerOperations = crud({ name: "Customer", resource: "customers", create: CreateCustomerInput, update: UpdateCustomerInput, output: Customer });
/** Invoice operations. @public */
export const invoiceOperations = {
  ...crud({ name: "Invoice", resource: "invoices", create: CreateInvoiceInput, update: UpdateInvoiceInput, output: Invoice }),
  ...deletable("Invoice", "invoices"),
  ...voidable("Invoice", "invoices", Invoice),
};
/** Payment operations. @public */
export const paymentOperations = {
  ...crud({ name: "Payment", resource: "payments", create: CreatePaymentInput, update: UpdatePaymentInput, output: Payment }),
  ...deletable("Payment", "payments"),
  ...voidable("Payment", "payments", Payment),
};
/** Bill operations. @public */
export const billOperations = {
  ...crud({ name: "Bill", resource: "bills", create: CreateBillInput, update: UpdateBillInput, output: Bill }),
  ...deletable("Bill", "bills"),
};
/** JournalEntry operations. @public */
export const journalEntryOperations = {
  ...crud({ name: "JournalEntry", resource: "journalEntries", create: CreateJournalEntryInput, update: UpdateJournalEntryInput, output: JournalEntry }),
  ...deletable("JournalEntry", "journalEntries"),
};

/** `items.get`: one item (the draw helper looks its item up by name through the query helper). @public */
export const getItem = defineOperation({
  id: "items.get",
  input: GetEntityInput,
  output: Item,
  idempotent: true,
  request: (input, ctx) => ({ method: "GET", path: companyPath(ctx, "item", input.id), query: readQuery(ctx) }),
  response: (response, _input, ctx) => unwrapEntity(response, "Item", ctx),
});
