/** ACCREC invoices (shared/vendors/xero.md §5): create, read, list with paging and statuses, void. */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { decimalToWire } from "../money.js";
import { CreateInvoiceInput, GetByIdInput, ListInvoicesInput, VoidInvoiceInput, XeroInvoice, XeroPagination } from "../schemas.js";
import { accountingRequest, classify, firstOf, listQuery, pageOf } from "./common.js";

const InvoicePage = lazySchema(() =>
  z.object({ items: z.array(XeroInvoice), page: z.number().optional(), pagination: XeroPagination.optional() }),
);

/** The invoice body Xero takes: amounts as JSON numbers built from their decimal text. @internal */
export function invoiceBody(input: z.output<typeof CreateInvoiceInput>): Record<string, unknown> {
  return {
    ...input,
    LineItems: input.LineItems.map((line) => ({
      ...line,
      ...(line.Quantity !== undefined ? { Quantity: decimalToWire(line.Quantity) } : {}),
      ...(line.UnitAmount !== undefined ? { UnitAmount: decimalToWire(line.UnitAmount) } : {}),
      ...(line.LineAmount !== undefined ? { LineAmount: decimalToWire(line.LineAmount) } : {}),
      ...(line.TaxAmount !== undefined ? { TaxAmount: decimalToWire(line.TaxAmount) } : {}),
    })),
  };
}

/** `invoices.create`: `PUT /Invoices` (one ACCREC invoice) with an Idempotency-Key. @public */
export const createInvoice = defineOperation({
  id: "invoices.create",
  input: CreateInvoiceInput,
  output: XeroInvoice,
  safety: "keyed",
  request: (input, ctx) => accountingRequest(ctx, { method: "PUT", path: "/Invoices", body: { Invoices: [invoiceBody(input)] } }),
  response: (response, _input, ctx) => firstOf(response.body, "Invoices", ctx.operation),
  classifyError: classify,
});

/** `invoices.get`: by InvoiceID (or InvoiceNumber), with line items. @public */
export const getInvoice = defineOperation({
  id: "invoices.get",
  input: GetByIdInput,
  output: XeroInvoice,
  idempotent: true,
  request: (input, ctx) => accountingRequest(ctx, { method: "GET", path: `/Invoices/${encodeURIComponent(input.id)}` }),
  response: (response, _input, ctx) => firstOf(response.body, "Invoices", ctx.operation),
  classifyError: classify,
});

/** `invoices.list`: one page; `statuses`, `contactIds`, `invoiceNumbers`, `where`, `modifiedSince`. @public */
export const listInvoices = defineOperation({
  id: "invoices.list",
  input: ListInvoicesInput,
  output: InvoicePage,
  idempotent: true,
  request: (input, ctx) =>
    accountingRequest(ctx, {
      method: "GET",
      path: "/Invoices",
      query: {
        ...listQuery(input),
        Statuses: input.statuses?.length ? input.statuses.join(",") : undefined,
        ContactIDs: input.contactIds?.length ? input.contactIds.join(",") : undefined,
        InvoiceNumbers: input.invoiceNumbers?.length ? input.invoiceNumbers.join(",") : undefined,
      },
      modifiedSince: input.modifiedSince,
    }),
  response: (response, input, ctx) => pageOf(response.body, "Invoices", ctx.operation, input.page),
  classifyError: classify,
});

/** `invoices.void`: `POST /Invoices/{id}` with `Status: VOIDED` (only an AUTHORISED invoice without payments). @public */
export const voidInvoice = defineOperation({
  id: "invoices.void",
  input: VoidInvoiceInput,
  output: XeroInvoice,
  safety: "keyed",
  request: (input, ctx) =>
    accountingRequest(ctx, { method: "POST", path: `/Invoices/${encodeURIComponent(input.invoiceId)}`, body: { Invoices: [{ InvoiceID: input.invoiceId, Status: "VOIDED" }] } }),
  response: (response, _input, ctx) => firstOf(response.body, "Invoices", ctx.operation),
  classifyError: classify,
});

/** The invoice operations. @internal */
export const invoiceOperations = { create: createInvoice, get: getInvoice, list: listInvoices, void: voidInvoice };
