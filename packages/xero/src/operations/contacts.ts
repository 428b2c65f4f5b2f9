/** Contacts (shared/vendors/xero.md §4): PUT creates, POST `/Contacts/{id}` updates, GET reads and lists. */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { CreateContactInput, FindContactInput, GetByIdInput, ListContactsInput, UpdateContactInput, XeroContact, XeroPagination } from "../schemas.js";
import { whereEquals } from "../where.js";
import { accountingRequest, classify, firstOf, listQuery, pageOf, recordsOf } from "./common.js";

const ContactPage = lazySchema(() =>
  z.object({ items: z.array(XeroContact), page: z.number().optional(), pagination: XeroPagination.optional() }),
);

/** `contacts.create`: `PUT /Contacts` with an Idempotency-Key, so a retry never makes a second contact. @public */
export const createContact = defineOperation({
  id: "contacts.create",
  input: CreateContactInput,
  output: XeroContact,
  safety: "keyed",
  request: (input, ctx) => accountingRequest(ctx, { method: "PUT", path: "/Contacts", body: { Contacts: [input] } }),
  response: (response, _input, ctx) => firstOf(response.body, "Contacts", ctx.operation),
  classifyError: classify,
});

/** `contacts.update`: `POST /Contacts/{ContactID}` with the changed fields. @public */
export const updateContact = defineOperation({
  id: "contacts.update",
  input: UpdateContactInput,
  output: XeroContact,
  safety: "keyed",
  request: (input, ctx) => accountingRequest(ctx, { method: "POST", path: `/Contacts/${encodeURIComponent(input.ContactID)}`, body: { Contacts: [input] } }),
  response: (response, _input, ctx) => firstOf(response.body, "Contacts", ctx.operation),
  classifyError: classify,
});

/** `contacts.get`: by ContactID or ContactNumber. @public */
export const getContact = defineOperation({
  id: "contacts.get",
  input: GetByIdInput,
  output: XeroContact,
  idempotent: true,
  request: (input, ctx) => accountingRequest(ctx, { method: "GET", path: `/Contacts/${encodeURIComponent(input.id)}` }),
  response: (response, _input, ctx) => firstOf(response.body, "Contacts", ctx.operation),
  classifyError: classify,
});

/** `contacts.list`: one page (100 by default), optionally changed since a time. @public */
export const listContacts = defineOperation({
  id: "contacts.list",
  input: ListContactsInput,
  output: ContactPage,
  idempotent: true,
  request: (input, ctx) =>
    accountingRequest(ctx, {
      method: "GET",
      path: "/Contacts",
      query: { ...listQuery(input), includeArchived: input.includeArchived === undefined ? undefined : String(input.includeArchived) },
      modifiedSince: input.modifiedSince,
    }),
  response: (response, input, ctx) => pageOf(response.body, "Contacts", ctx.operation, input.page),
  classifyError: classify,
});

/** `contacts.findByExternalRef`: the contact whose ContactNumber (or AccountNumber) is the platform's reference, or undefined. @public */
export const findContact = defineOperation({
  id: "contacts.findByExternalRef",
  input: FindContactInput,
  output: lazySchema(() => XeroContact.optional()),
  idempotent: true,
  request: (input, ctx) =>
    accountingRequest(ctx, { method: "GET", path: "/Contacts", query: { where: whereEquals(input.field ?? "ContactNumber", input.externalRef), includeArchived: "true", page: 1 } }),
  response: (response, _input, ctx) => recordsOf(response.body, "Contacts", ctx.operation)[0],
  classifyError: classify,
});

/** The contact operations. @internal */
export const contactOperations = { create: createContact, update: updateContact, get: getContact, list: listContacts, find: findContact };
