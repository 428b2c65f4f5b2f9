/** Payments (shared/vendors/xero.md §6): create against an invoice, read, list. No webhooks for payments: poll. */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { decimalToWire } from "../money.js";
import { CreatePaymentInput, GetByIdInput, ListPaymentsInput, XeroPagination, XeroPayment } from "../schemas.js";
import { whereEquals } from "../where.js";
import { accountingRequest, classify, firstOf, listQuery, pageOf, recordsOf } from "./common.js";

const PaymentPage = lazySchema(() =>
  z.object({ items: z.array(XeroPayment), page: z.number().optional(), pagination: XeroPagination.optional() }),
);

/** `payments.create`: `PUT /Payments` with an Idempotency-Key. @public */
export const createPayment = defineOperation({
  id: "payments.create",
  input: CreatePaymentInput,
  output: XeroPayment,
  safety: "keyed",
  request: (input, ctx) => accountingRequest(ctx, { method: "PUT", path: "/Payments", body: { Payments: [{ ...input, Amount: decimalToWire(input.Amount) }] } }),
  response: (response, _input, ctx) => firstOf(response.body, "Payments", ctx.operation),
  classifyError: classify,
});

/** `payments.get`: by PaymentID. @public */
export const getPayment = defineOperation({
  id: "payments.get",
  input: GetByIdInput,
  output: XeroPayment,
  idempotent: true,
  request: (input, ctx) => accountingRequest(ctx, { method: "GET", path: `/Payments/${encodeURIComponent(input.id)}` }),
  response: (response, _input, ctx) => firstOf(response.body, "Payments", ctx.operation),
  classifyError: classify,
});

/** `payments.list`: one page, optionally changed since a time. @public */
export const listPayments = defineOperation({
  id: "payments.list",
  input: ListPaymentsInput,
  output: PaymentPage,
  idempotent: true,
  request: (input, ctx) => accountingRequest(ctx, { method: "GET", path: "/Payments", query: listQuery(input), modifiedSince: input.modifiedSince }),
  response: (response, input, ctx) => pageOf(response.body, "Payments", ctx.operation, input.page),
  classifyError: classify,
});

/** `payments.findByReference`: the (non-deleted) payment whose Reference is exactly this, or undefined. @public */
export const findPayment = defineOperation({
  id: "payments.findByReference",
  input: z.strictObject({ reference: z.string().trim().min(1).max(255) }),
  output: lazySchema(() => XeroPayment.optional()),
  idempotent: true,
  request: (input, ctx) => accountingRequest(ctx, { method: "GET", path: "/Payments", query: { where: `${whereEquals("Reference", input.reference)} AND Status=="AUTHORISED"` } }),
  response: (response, _input, ctx) => recordsOf(response.body, "Payments", ctx.operation)[0],
  classifyError: classify,
});

/** `organisation.get`: the tenant's organisation (the health check). @internal */
export const getOrganisation = defineOperation({
  id: "organisation.get",
  input: z.strictObject({}),
  output: z.looseObject({ OrganisationID: z.string().optional(), Name: z.string().optional() }),
  idempotent: true,
  request: (_input, ctx) => accountingRequest(ctx, { method: "GET", path: "/Organisation" }),
  response: (response, _input, ctx) => firstOf(response.body, "Organisations", ctx.operation),
  classifyError: classify,
});

/** The payment operations. @internal */
export const paymentOperations = { create: createPayment, get: getPayment, list: listPayments, find: findPayment };
