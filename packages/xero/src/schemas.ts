/**
 * Zod schemas: the inputs this package accepts (checked before any I/O) and the wire shapes of
 * Xero's Accounting API 2.0 (shared/vendors/xero.md §4–6). Wire objects are loose: Xero adds
 * fields, and the typed ones are the ones this package reads.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { lineAmountCents, toCents, toUnits } from "./money.js";

const YMD = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A calendar date, `YYYY-MM-DD` (what Xero takes in requests). @public */
export const XeroDateInput = lazySchema(() =>
  z
  .string()
  .regex(YMD, "must be a date as YYYY-MM-DD")
  .refine((value) => !YMD.test(value) || new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), { message: "is not a calendar date" }),
);

/** An amount: a decimal string (`"12500.50"`) or a number, at most 2 decimals. @public */
export const XeroAmount = lazySchema(() =>
  z.union([z.string(), z.number()]).refine((value) => toCents(value) !== undefined, {
  message: 'must be a decimal amount with at most 2 decimals ("12500.50")',
}),
);
/** An amount type. @public */
export type XeroAmount = z.infer<typeof XeroAmount>;

/** A quantity: a decimal string or number, at most 4 decimals. @public */
export const XeroQuantity = lazySchema(() =>
  z.union([z.string(), z.number()]).refine((value) => toUnits(value, 4) !== undefined, {
  message: "must be a decimal quantity with at most 4 decimals",
}),
);

const Uuid = lazySchema(() =>
  z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a Xero id (a UUID)"),
);

/** A phone of a contact. @public */
export const XeroPhoneInput = lazySchema(() =>
  z.strictObject({
  PhoneType: z.enum(["DEFAULT", "DDI", "MOBILE", "FAX"]),
  PhoneNumber: z.string().max(50).optional(),
  PhoneAreaCode: z.string().max(10).optional(),
  PhoneCountryCode: z.string().max(20).optional(),
}),
);

/** An address of a contact. @public */
export const XeroAddressInput = lazySchema(() =>
  z.strictObject({
  AddressType: z.enum(["POBOX", "STREET"]),
  AddressLine1: z.string().max(500).optional(),
  AddressLine2: z.string().max(500).optional(),
  AddressLine3: z.string().max(500).optional(),
  AddressLine4: z.string().max(500).optional(),
  City: z.string().max(255).optional(),
  Region: z.string().max(255).optional(),
  PostalCode: z.string().max(50).optional(),
  Country: z.string().max(50).optional(),
  AttentionTo: z.string().max(255).optional(),
}),
);

const contactFields = {
  /** Unique among active contacts. */
  Name: z.string().trim().min(1).max(255),
  /** API-only "Contact Code": the platform's external reference. */
  ContactNumber: z.string().trim().min(1).max(50).optional(),
  AccountNumber: z.string().trim().min(1).max(50).optional(),
  // Xero refuses addresses with non-ASCII characters (shared/vendors/xero.md §4); zod's email is ASCII-only.
  EmailAddress: z.email().max(255).optional(),
  FirstName: z.string().max(255).optional(),
  LastName: z.string().max(255).optional(),
  ContactStatus: z.enum(["ACTIVE", "ARCHIVED"]).optional(),
  Phones: z.array(XeroPhoneInput).max(10).optional(),
  Addresses: z.array(XeroAddressInput).max(10).optional(),
};

/** `contacts.create` input. @public */
export const CreateContactInput = lazySchema(() =>
  z.strictObject(contactFields),
);
/** `contacts.create` input type. @public */
export type CreateContactInput = z.input<typeof CreateContactInput>;

/** `contacts.update` input: the ContactID and the fields to change. @public */
export const UpdateContactInput = lazySchema(() =>
  z.strictObject({ ContactID: unlazy(Uuid), ...z.strictObject(contactFields).partial().shape }),
);
/** `contacts.update` input type. @public */
export type UpdateContactInput = z.input<typeof UpdateContactInput>;

/** Read one record by its Xero id (or, for contacts, its ContactNumber). @public */
export const GetByIdInput = lazySchema(() =>
  z.strictObject({ id: z.string().trim().min(1).max(255) }),
);
/** Input type of the `get` operations. @public */
export type GetByIdInput = z.input<typeof GetByIdInput>;

/** Paging and change filters every list takes. @public */
const listFields = {
  /** 1-based page (100 records per page unless `pageSize`). Omit for Xero's unpaged answer. */
  page: z.number().int().min(1).optional(),
  /** Records per page, up to 1000. */
  pageSize: z.number().int().min(1).max(1000).optional(),
  /** Only records changed since (sent as `If-Modified-Since`, UTC). */
  modifiedSince: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
  /** A `where` filter; build values with `quoteWhere` / `whereGuid`. */
  where: z.string().min(1).max(4000).optional(),
  /** `order`, e.g. `UpdatedDateUTC DESC`. */
  order: z.string().min(1).max(200).optional(),
  /** Only these ids. */
  ids: z.array(Uuid).max(100).optional(),
};

/** `contacts.list` input. @public */
export const ListContactsInput = lazySchema(() =>
  z.strictObject({ ...listFields, includeArchived: z.boolean().optional() }),
);
/** `contacts.list` input type. @public */
export type ListContactsInput = z.input<typeof ListContactsInput>;

/** `contacts.findByExternalRef` input. @public */
export const FindContactInput = lazySchema(() =>
  z.strictObject({
  externalRef: z.string().trim().min(1).max(50).regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"),
  /** The field holding the platform's reference. Default `ContactNumber`. */
  field: z.enum(["ContactNumber", "AccountNumber"]).optional(),
}),
);
/** `contacts.findByExternalRef` input type. @public */
export type FindContactInput = z.input<typeof FindContactInput>;

/** Invoice statuses. @public */
export const XeroInvoiceStatus = lazySchema(() =>
  z.enum(["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED"]),
);
/** Invoice status type. @public */
export type XeroInvoiceStatus = z.infer<typeof XeroInvoiceStatus>;

/** One invoice line. `LineAmount`, when sent with `Quantity` and `UnitAmount`, must equal their product. @public */
export const XeroLineItemInput = lazySchema(() =>
  z
  .strictObject({
    Description: z.string().min(1).max(4000),
    Quantity: unlazy(XeroQuantity).optional(),
    UnitAmount: unlazy(XeroAmount).optional(),
    LineAmount: unlazy(XeroAmount).optional(),
    AccountCode: z.string().trim().min(1).max(10).optional(),
    ItemCode: z.string().trim().min(1).max(30).optional(),
    TaxType: z.string().trim().min(1).max(50).optional(),
    TaxAmount: unlazy(XeroAmount).optional(),
    DiscountRate: z.number().min(0).max(100).optional(),
    LineItemID: unlazy(Uuid).optional(),
  })
  .superRefine((line, ctx) => {
    if (line.LineAmount === undefined || line.Quantity === undefined || line.UnitAmount === undefined || line.DiscountRate !== undefined) return;
    const expected = lineAmountCents(line.Quantity, line.UnitAmount);
    const given = toCents(line.LineAmount);
    if (expected !== undefined && given !== undefined && expected !== given) {
      ctx.addIssue({
        code: "custom",
        path: ["LineAmount"],
        message: `LineAmount ${String(line.LineAmount)} does not equal Quantity × UnitAmount (${String(line.Quantity)} × ${String(line.UnitAmount)}); send two of the three, or make them agree`,
      });
    }
  }),
);
/** Line input type. @public */
export type XeroLineItemInput = z.input<typeof XeroLineItemInput>;

/** `invoices.create` input: one ACCREC (sales) invoice, e.g. one per draw. @public */
export const CreateInvoiceInput = lazySchema(() =>
  z.strictObject({
  Type: z.literal("ACCREC").default("ACCREC"),
  Contact: z.strictObject({ ContactID: unlazy(Uuid) }),
  Date: unlazy(XeroDateInput).optional(),
  DueDate: unlazy(XeroDateInput).optional(),
  InvoiceNumber: z.string().trim().min(1).max(255).optional(),
  Reference: z.string().trim().min(1).max(255).optional(),
  // Exact casing: `NO_TAX` is a 400 at Xero (shared/vendors/xero.md §5).
  LineAmountTypes: z.enum(["Exclusive", "Inclusive", "NoTax"]).optional(),
  Status: z.enum(["DRAFT", "SUBMITTED", "AUTHORISED"]).optional(),
  CurrencyCode: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").optional(),
  LineItems: z.array(unlazy(XeroLineItemInput)).min(1).max(1000),
}),
);
/** `invoices.create` input type. @public */
export type CreateInvoiceInput = z.input<typeof CreateInvoiceInput>;

/** `invoices.list` input. @public */
export const ListInvoicesInput = lazySchema(() =>
  z.strictObject({
  ...listFields,
  statuses: z.array(unlazy(XeroInvoiceStatus)).max(6).optional(),
  contactIds: z.array(unlazy(Uuid)).max(100).optional(),
  invoiceNumbers: z.array(z.string().min(1).max(255)).max(100).optional(),
}),
);
/** `invoices.list` input type. @public */
export type ListInvoicesInput = z.input<typeof ListInvoicesInput>;

/** `invoices.void` input. @public */
export const VoidInvoiceInput = lazySchema(() =>
  z.strictObject({ invoiceId: unlazy(Uuid) }),
);
/** `invoices.void` input type. @public */
export type VoidInvoiceInput = z.input<typeof VoidInvoiceInput>;

/** `payments.create` input: money received against an (AUTHORISED) invoice. @public */
export const CreatePaymentInput = lazySchema(() =>
  z.strictObject({
  Invoice: z.union([z.strictObject({ InvoiceID: unlazy(Uuid) }), z.strictObject({ InvoiceNumber: z.string().min(1).max(255) })]),
  Account: z.union([z.strictObject({ Code: z.string().trim().min(1).max(10) }), z.strictObject({ AccountID: unlazy(Uuid) })]),
  Date: unlazy(XeroDateInput),
  Amount: unlazy(XeroAmount).refine((value) => (toCents(value) ?? 0n) > 0n, { message: "must be more than 0" }),
  Reference: z.string().trim().min(1).max(255).optional(),
}),
);
/** `payments.create` input type. @public */
export type CreatePaymentInput = z.input<typeof CreatePaymentInput>;

/** `payments.list` input. @public */
export const ListPaymentsInput = lazySchema(() =>
  z.strictObject(listFields),
);
/** `payments.list` input type. @public */
export type ListPaymentsInput = z.input<typeof ListPaymentsInput>;

// ── Wire shapes ──────────────────────────────────────────────────────────────────────────

/** A contact as Xero returns it. @public */
export const XeroContact = lazySchema(() =>
  z.looseObject({
  ContactID: z.string(),
  Name: z.string().optional(),
  ContactNumber: z.string().optional(),
  AccountNumber: z.string().optional(),
  EmailAddress: z.string().optional(),
  FirstName: z.string().optional(),
  LastName: z.string().optional(),
  ContactStatus: z.string().optional(),
  IsCustomer: z.boolean().optional(),
  IsSupplier: z.boolean().optional(),
  UpdatedDateUTC: z.string().optional(),
}),
);
/** A contact. @public */
export type XeroContact = z.infer<typeof XeroContact>;

/** An invoice line as Xero returns it. @public */
export const XeroLineItem = lazySchema(() =>
  z.looseObject({
  LineItemID: z.string().optional(),
  Description: z.string().optional(),
  Quantity: z.number().optional(),
  UnitAmount: z.number().optional(),
  LineAmount: z.number().optional(),
  AccountCode: z.string().optional(),
  TaxType: z.string().optional(),
  TaxAmount: z.number().optional(),
}),
);

/** An invoice as Xero returns it. @public */
export const XeroInvoice = lazySchema(() =>
  z.looseObject({
  InvoiceID: z.string(),
  Type: z.string().optional(),
  InvoiceNumber: z.string().optional(),
  Reference: z.string().optional(),
  Contact: z.looseObject({ ContactID: z.string(), Name: z.string().optional() }).optional(),
  Status: z.string().optional(),
  LineAmountTypes: z.string().optional(),
  LineItems: z.array(unlazy(XeroLineItem)).optional(),
  SubTotal: z.number().optional(),
  TotalTax: z.number().optional(),
  Total: z.number().optional(),
  AmountDue: z.number().optional(),
  AmountPaid: z.number().optional(),
  AmountCredited: z.number().optional(),
  CurrencyCode: z.string().optional(),
  Date: z.string().optional(),
  DateString: z.string().optional(),
  DueDate: z.string().optional(),
  DueDateString: z.string().optional(),
  UpdatedDateUTC: z.string().optional(),
}),
);
/** An invoice. @public */
export type XeroInvoice = z.infer<typeof XeroInvoice>;

/** A payment as Xero returns it. @public */
export const XeroPayment = lazySchema(() =>
  z.looseObject({
  PaymentID: z.string(),
  Amount: z.number().optional(),
  Date: z.string().optional(),
  Reference: z.string().optional(),
  Status: z.string().optional(),
  PaymentType: z.string().optional(),
  Invoice: z.looseObject({ InvoiceID: z.string(), InvoiceNumber: z.string().optional(), Contact: z.looseObject({ ContactID: z.string() }).optional() }).optional(),
  Account: z.looseObject({ AccountID: z.string().optional(), Code: z.string().optional() }).optional(),
  UpdatedDateUTC: z.string().optional(),
}),
);
/** A payment. @public */
export type XeroPayment = z.infer<typeof XeroPayment>;

/** A tenant the grant is connected to (`GET /connections`). @public */
export const XeroConnection = lazySchema(() =>
  z.looseObject({
  id: z.string(),
  authEventId: z.string().optional(),
  tenantId: z.string(),
  tenantType: z.string(),
  tenantName: z.string().nullable().optional(),
  createdDateUtc: z.string().optional(),
  updatedDateUtc: z.string().optional(),
}),
);
/** A connection. @public */
export type XeroConnection = z.infer<typeof XeroConnection>;

/** Paging block of a paged list. @public */
export const XeroPagination = lazySchema(() =>
  z.looseObject({ page: z.number(), pageSize: z.number(), pageCount: z.number(), itemCount: z.number() }),
);

/** One page of a list. @public */
export interface XeroPage<T> {
  /** The records. */
  items: T[];
  /** The page asked for (undefined for an unpaged list). */
  page: number | undefined;
  /** Xero's paging block, when it sent one. */
  pagination?: z.infer<typeof XeroPagination> | undefined;
}

/**
 * The instant of a Xero MS-JSON date (`/Date(1573755038314+0000)/`) or ISO string, or undefined.
 * The first signed integer is epoch ms UTC, as xero-node reads it (shared/vendors/xero.md §2).
 * @public
 */
export function parseXeroDate(value: string | undefined | null): Date | undefined {
  if (typeof value !== "string") return undefined;
  const ms = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value.trim());
  if (ms) return new Date(Number(ms[1]));
  const parsed = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed);
}
