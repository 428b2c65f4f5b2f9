/**
 * Zod schemas for the QuickBooks Online v3 entities this package writes and reads
 * (shared/vendors/quickbooks.md §2–§3). Inputs ARE the wire bodies (PascalCase, as Intuit
 * spells them), so a Fault's `element` points at the same place in the caller's input.
 * Input objects are strict: a misspelt field is a ValidationError before any request.
 * Outputs are loose: QuickBooks adds fields with new minor versions.
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { wireToCents } from "./money.js";

/** An entity id: a string of digits (QuickBooks ids are numeric strings). */
const EntityId = lazySchema(() =>
  z.string().regex(/^\d{1,20}$/, "must be a QuickBooks id (a string of digits)"),
);

/** A reference to another entity: `{ value: "<Id>", name? }`. @public */
export const Ref = lazySchema(() =>
  z.strictObject({ value: z.string().min(1), name: z.string().optional() }),
);
/** @public */
export type Ref = z.infer<typeof Ref>;

/** A wire amount: a finite JSON number with at most 2 decimals. @public */
export const Amount = lazySchema(() =>
  z.number().refine((n) => {
  try {
    wireToCents(n);
    return true;
  } catch {
    return false;
  }
}, "must be a finite amount with at most 2 decimals"),
);

const DateOnly = lazySchema(() =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
);
const DocNumber = lazySchema(() =>
  z.string().min(1).max(21, "QuickBooks accepts at most 21 characters"),
);
const EmailAddr = lazySchema(() =>
  z.strictObject({ Address: z.email() }),
);
const Phone = lazySchema(() =>
  z.strictObject({ FreeFormNumber: z.string().min(1).max(30) }),
);
const MemoRef = lazySchema(() =>
  z.strictObject({ value: z.string().max(1000) }),
);

/** A physical address. @public */
export const Address = lazySchema(() =>
  z.strictObject({
  Line1: z.string().max(500).optional(),
  Line2: z.string().max(500).optional(),
  Line3: z.string().max(500).optional(),
  Line4: z.string().max(500).optional(),
  Line5: z.string().max(500).optional(),
  City: z.string().max(255).optional(),
  CountrySubDivisionCode: z.string().max(255).optional(),
  PostalCode: z.string().max(30).optional(),
  Country: z.string().max(255).optional(),
}),
);

/** System fields every stored entity carries. */
const Stored = {
  Id: z.string(),
  SyncToken: z.string(),
  MetaData: z.looseObject({ CreateTime: z.string().optional(), LastUpdatedTime: z.string().optional() }).optional(),
  domain: z.string().optional(),
  sparse: z.boolean().optional(),
};

/** Write fields shared by updates: the entity id, its current SyncToken, sparse or full. */
const UpdateKeys = {
  Id: EntityId,
  SyncToken: z.string().regex(/^\d+$/, "must be the entity's current SyncToken"),
  /** Send only the changed fields (default). `false` is a full update: omitted writable fields are cleared. */
  sparse: z.boolean().optional(),
};

// ── Customer ──────────────────────────────────────────────────────────────────────────
const customerFields = {
  DisplayName: z.string().min(1).max(500).refine((s) => !s.includes(":"), "may not contain ':'"),
  Title: z.string().max(16).optional(),
  GivenName: z.string().max(100).optional(),
  MiddleName: z.string().max(100).optional(),
  FamilyName: z.string().max(100).optional(),
  Suffix: z.string().max(16).optional(),
  CompanyName: z.string().max(100).optional(),
  PrintOnCheckName: z.string().max(110).optional(),
  PrimaryEmailAddr: EmailAddr.optional(),
  PrimaryPhone: Phone.optional(),
  Mobile: Phone.optional(),
  BillAddr: Address.optional(),
  ShipAddr: Address.optional(),
  Notes: z.string().max(2000).optional(),
  Active: z.boolean().optional(),
  Taxable: z.boolean().optional(),
  CurrencyRef: Ref.optional(),
  ParentRef: Ref.optional(),
  Job: z.boolean().optional(),
  BillWithParent: z.boolean().optional(),
  SalesTermRef: Ref.optional(),
  PaymentMethodRef: Ref.optional(),
  PreferredDeliveryMethod: z.enum(["Print", "Email", "None"]).optional(),
  ResaleNum: z.string().max(16).optional(),
};

/** Body of `customers.create`. DisplayName must be unique across customers, vendors and employees. @public */
export const CreateCustomerInput = lazySchema(() =>
  z.strictObject(customerFields),
);
/** @public */
export type CreateCustomerInput = z.input<typeof CreateCustomerInput>;
/** Body of `customers.update`: Id, SyncToken and the fields to change. @public */
export const UpdateCustomerInput = lazySchema(() =>
  z.strictObject({ ...UpdateKeys, ...partial(customerFields) }),
);
/** @public */
export type UpdateCustomerInput = z.input<typeof UpdateCustomerInput>;
/** A stored customer; `Balance` is the open receivable. @public */
export const Customer = lazySchema(() =>
  z.looseObject({
  ...Stored,
  DisplayName: z.string(),
  Active: z.boolean().optional(),
  Balance: z.number().optional(),
  BalanceWithJobs: z.number().optional(),
  PrimaryEmailAddr: z.looseObject({ Address: z.string().optional() }).optional(),
  CompanyName: z.string().optional(),
  Notes: z.string().optional(),
}),
);
/** @public */
export type Customer = z.infer<typeof Customer>;

// ── Invoice ───────────────────────────────────────────────────────────────────────────
/** A sales line: an item, quantity and unit price; Amount must equal Qty × UnitPrice. @public */
export const SalesItemLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("SalesItemLineDetail"),
  Amount: unlazy(Amount),
  Description: z.string().max(4000).optional(),
  SalesItemLineDetail: z.strictObject({
    ItemRef: unlazy(Ref),
    Qty: z.number().optional(),
    UnitPrice: z.number().optional(),
    ServiceDate: unlazy(DateOnly).optional(),
    TaxCodeRef: unlazy(Ref).optional(),
    ClassRef: unlazy(Ref).optional(),
  }),
}),
);
const DescriptionOnlyLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("DescriptionOnly"),
  Amount: unlazy(Amount).optional(),
  Description: z.string().max(4000).optional(),
  DescriptionLineDetail: z.strictObject({ ServiceDate: unlazy(DateOnly).optional() }).optional(),
}),
);
const DiscountLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("DiscountLineDetail"),
  Amount: unlazy(Amount),
  Description: z.string().max(4000).optional(),
  DiscountLineDetail: z.strictObject({ PercentBased: z.boolean().optional(), DiscountPercent: z.number().optional(), DiscountAccountRef: unlazy(Ref).optional() }),
}),
);
const SubTotalLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("SubTotalLineDetail"),
  Amount: unlazy(Amount).optional(),
  SubTotalLineDetail: z.strictObject({}).optional(),
}),
);
/** One invoice line. @public */
export const InvoiceLine = lazySchema(() =>
  z.discriminatedUnion("DetailType", [unlazy(SalesItemLine), unlazy(DescriptionOnlyLine), unlazy(DiscountLine), unlazy(SubTotalLine)]),
);

const invoiceFields = {
  CustomerRef: Ref,
  Line: z.array(InvoiceLine).min(1),
  TxnDate: DateOnly.optional(),
  DueDate: DateOnly.optional(),
  DocNumber: DocNumber.optional(),
  PrivateNote: z.string().max(4000).optional(),
  CustomerMemo: MemoRef.optional(),
  BillEmail: EmailAddr.optional(),
  BillAddr: Address.optional(),
  ShipAddr: Address.optional(),
  SalesTermRef: Ref.optional(),
  CurrencyRef: Ref.optional(),
  ExchangeRate: z.number().positive().optional(),
  ClassRef: Ref.optional(),
  DepartmentRef: Ref.optional(),
  EmailStatus: z.enum(["NotSet", "NeedToSend", "EmailSent"]).optional(),
  AllowOnlineACHPayment: z.boolean().optional(),
  AllowOnlineCreditCardPayment: z.boolean().optional(),
};
/** Body of `invoices.create`. @public */
export const CreateInvoiceInput = lazySchema(() =>
  z.strictObject(invoiceFields).superRefine(checkSalesLines),
);
/** @public */
export type CreateInvoiceInput = z.input<typeof CreateInvoiceInput>;
/** Body of `invoices.update`; a `Line` array replaces the stored lines wholesale. @public */
export const UpdateInvoiceInput = lazySchema(() =>
  z.strictObject({ ...UpdateKeys, ...partial(invoiceFields) }).superRefine(checkSalesLines),
);
/** @public */
export type UpdateInvoiceInput = z.input<typeof UpdateInvoiceInput>;
/** A stored invoice; `Balance` is what is still owed on it. @public */
export const Invoice = lazySchema(() =>
  z.looseObject({
  ...Stored,
  CustomerRef: z.looseObject({ value: z.string(), name: z.string().optional() }),
  Line: z.array(z.looseObject({ Amount: z.number().optional(), DetailType: z.string() })),
  TotalAmt: z.number().optional(),
  Balance: z.number().optional(),
  DocNumber: z.string().optional(),
  TxnDate: z.string().optional(),
  DueDate: z.string().optional(),
  PrivateNote: z.string().optional(),
}),
);
/** @public */
export type Invoice = z.infer<typeof Invoice>;

// ── Payment ───────────────────────────────────────────────────────────────────────────
/** A transaction a payment line is applied to. @public */
export const LinkedTxn = lazySchema(() =>
  z.strictObject({ TxnId: unlazy(EntityId), TxnType: z.enum(["Invoice", "CreditMemo", "JournalEntry", "Expense", "Check"]), TxnLineId: z.string().optional() }),
);
const paymentFields = {
  CustomerRef: Ref,
  TotalAmt: Amount,
  TxnDate: DateOnly.optional(),
  Line: z.array(z.strictObject({ Amount: Amount, LinkedTxn: z.array(LinkedTxn).min(1) })).optional(),
  PaymentRefNum: z.string().max(21).optional(),
  PaymentMethodRef: Ref.optional(),
  DepositToAccountRef: Ref.optional(),
  ARAccountRef: Ref.optional(),
  PrivateNote: z.string().max(4000).optional(),
  CurrencyRef: Ref.optional(),
  ExchangeRate: z.number().positive().optional(),
};
/** Body of `payments.create`; the applied line amounts may not exceed `TotalAmt`. @public */
export const CreatePaymentInput = lazySchema(() =>
  z.strictObject(paymentFields).superRefine(checkPaymentLines),
);
/** @public */
export type CreatePaymentInput = z.input<typeof CreatePaymentInput>;
/** Body of `payments.update`. @public */
export const UpdatePaymentInput = lazySchema(() =>
  z.strictObject({ ...UpdateKeys, ...partial(paymentFields) }).superRefine(checkPaymentLines),
);
/** @public */
export type UpdatePaymentInput = z.input<typeof UpdatePaymentInput>;
/** A stored payment; `UnappliedAmt` is the part not linked to a transaction. @public */
export const Payment = lazySchema(() =>
  z.looseObject({
  ...Stored,
  CustomerRef: z.looseObject({ value: z.string(), name: z.string().optional() }),
  TotalAmt: z.number(),
  UnappliedAmt: z.number().optional(),
  TxnDate: z.string().optional(),
  PaymentRefNum: z.string().optional(),
  Line: z.array(z.looseObject({ Amount: z.number(), LinkedTxn: z.array(z.looseObject({ TxnId: z.string(), TxnType: z.string() })) })).optional(),
}),
);
/** @public */
export type Payment = z.infer<typeof Payment>;

// ── Bill ──────────────────────────────────────────────────────────────────────────────
const AccountExpenseLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("AccountBasedExpenseLineDetail"),
  Amount: unlazy(Amount),
  Description: z.string().max(4000).optional(),
  AccountBasedExpenseLineDetail: z.strictObject({
    AccountRef: unlazy(Ref),
    BillableStatus: z.enum(["Billable", "NotBillable", "HasBeenBilled"]).optional(),
    CustomerRef: unlazy(Ref).optional(),
    ClassRef: unlazy(Ref).optional(),
    TaxCodeRef: unlazy(Ref).optional(),
  }),
}),
);
const ItemExpenseLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("ItemBasedExpenseLineDetail"),
  Amount: unlazy(Amount),
  Description: z.string().max(4000).optional(),
  ItemBasedExpenseLineDetail: z.strictObject({ ItemRef: unlazy(Ref), Qty: z.number().optional(), UnitPrice: z.number().optional(), CustomerRef: unlazy(Ref).optional(), BillableStatus: z.enum(["Billable", "NotBillable", "HasBeenBilled"]).optional() }),
}),
);
/** One bill line: an expense account or an item. @public */
export const BillLine = lazySchema(() =>
  z.discriminatedUnion("DetailType", [unlazy(AccountExpenseLine), unlazy(ItemExpenseLine)]),
);
const billFields = {
  VendorRef: Ref,
  Line: z.array(BillLine).min(1),
  TxnDate: DateOnly.optional(),
  DueDate: DateOnly.optional(),
  DocNumber: DocNumber.optional(),
  PrivateNote: z.string().max(4000).optional(),
  APAccountRef: Ref.optional(),
  SalesTermRef: Ref.optional(),
  CurrencyRef: Ref.optional(),
  ExchangeRate: z.number().positive().optional(),
  DepartmentRef: Ref.optional(),
};
/** Body of `bills.create`. @public */
export const CreateBillInput = lazySchema(() =>
  z.strictObject(billFields),
);
/** @public */
export type CreateBillInput = z.input<typeof CreateBillInput>;
/** Body of `bills.update` (sparse support for bills is not confirmed by Intuit's docs; pass `sparse: false` with every field for a full update). @public */
export const UpdateBillInput = lazySchema(() =>
  z.strictObject({ ...UpdateKeys, ...partial(billFields) }),
);
/** @public */
export type UpdateBillInput = z.input<typeof UpdateBillInput>;
/** A stored bill. @public */
export const Bill = lazySchema(() =>
  z.looseObject({
  ...Stored,
  VendorRef: z.looseObject({ value: z.string(), name: z.string().optional() }),
  Line: z.array(z.looseObject({ Amount: z.number().optional(), DetailType: z.string() })),
  TotalAmt: z.number().optional(),
  Balance: z.number().optional(),
  DocNumber: z.string().optional(),
  TxnDate: z.string().optional(),
  DueDate: z.string().optional(),
}),
);
/** @public */
export type Bill = z.infer<typeof Bill>;

// ── JournalEntry ──────────────────────────────────────────────────────────────────────
/** One journal line: a debit or a credit to an account (AR/AP lines name the customer or vendor). @public */
export const JournalEntryLine = lazySchema(() =>
  z.strictObject({
  Id: z.string().optional(),
  LineNum: z.number().int().optional(),
  DetailType: z.literal("JournalEntryLineDetail"),
  Amount: unlazy(Amount),
  Description: z.string().max(4000).optional(),
  JournalEntryLineDetail: z.strictObject({
    PostingType: z.enum(["Debit", "Credit"]),
    AccountRef: unlazy(Ref),
    Entity: z.strictObject({ Type: z.enum(["Customer", "Vendor", "Employee"]), EntityRef: unlazy(Ref) }).optional(),
    ClassRef: unlazy(Ref).optional(),
    DepartmentRef: unlazy(Ref).optional(),
  }),
}),
);
const journalFields = {
  Line: z.array(JournalEntryLine).min(2),
  TxnDate: DateOnly.optional(),
  DocNumber: DocNumber.optional(),
  PrivateNote: z.string().max(4000).optional(),
  Adjustment: z.boolean().optional(),
  CurrencyRef: Ref.optional(),
  ExchangeRate: z.number().positive().optional(),
};
/** Body of `journalEntries.create`; debits must equal credits (checked before the request). @public */
export const CreateJournalEntryInput = lazySchema(() =>
  z.strictObject(journalFields).superRefine(checkBalanced),
);
/** @public */
export type CreateJournalEntryInput = z.input<typeof CreateJournalEntryInput>;
/** Body of `journalEntries.update` (send the whole `Line` array: it is replaced wholesale). @public */
export const UpdateJournalEntryInput = lazySchema(() =>
  z.strictObject({ ...UpdateKeys, ...partial(journalFields) }).superRefine(checkBalanced),
);
/** @public */
export type UpdateJournalEntryInput = z.input<typeof UpdateJournalEntryInput>;
/** A stored journal entry. @public */
export const JournalEntry = lazySchema(() =>
  z.looseObject({
  ...Stored,
  Line: z.array(z.looseObject({ Amount: z.number().optional(), DetailType: z.string() })),
  TotalAmt: z.number().optional(),
  DocNumber: z.string().optional(),
  TxnDate: z.string().optional(),
}),
);
/** @public */
export type JournalEntry = z.infer<typeof JournalEntry>;

// ── Reads and other entities ──────────────────────────────────────────────────────────
/** Input of every `get`: the entity id. @public */
export const GetEntityInput = lazySchema(() =>
  z.strictObject({ id: unlazy(EntityId) }),
);
/** Input of `delete` and `void`: the id and current SyncToken. @public */
export const EntityVersionInput = lazySchema(() =>
  z.strictObject({ id: unlazy(EntityId), syncToken: z.string().regex(/^\d+$/, "must be the entity's current SyncToken") }),
);
/** What a delete returns. @public */
export const DeletedEntity = lazySchema(() =>
  z.looseObject({ Id: z.string(), status: z.literal("Deleted"), domain: z.string().optional() }),
);
/** @public */
export type DeletedEntity = z.infer<typeof DeletedEntity>;
/** An item (product or service), e.g. "Construction Draw". @public */
export const Item = lazySchema(() =>
  z.looseObject({ ...Stored, Name: z.string(), Type: z.string().optional(), Active: z.boolean().optional() }),
);
/** @public */
export type Item = z.infer<typeof Item>;
/** The company (health check). @public */
export const CompanyInfo = lazySchema(() =>
  z.looseObject({ ...Stored, CompanyName: z.string() }),
);
/** @public */
export type CompanyInfo = z.infer<typeof CompanyInfo>;

// ── Helpers ───────────────────────────────────────────────────────────────────────────
function partial<T extends Record<string, z.ZodType>>(fields: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };
}

type LineHolder = { Line?: Array<{ DetailType: string; Amount?: number | undefined } & Record<string, unknown>> | undefined };

function checkSalesLines(value: LineHolder, ctx: z.RefinementCtx): void {
  value.Line?.forEach((line, index) => {
    if (line.DetailType !== "SalesItemLineDetail") return;
    const detail = line.SalesItemLineDetail as { Qty?: number; UnitPrice?: number };
    if (detail.Qty === undefined || detail.UnitPrice === undefined) return;
    // Intuit refuses a line whose Amount is not Qty × UnitPrice; compare in cents to avoid float noise.
    const expected = Math.round(detail.Qty * detail.UnitPrice * 100);
    if (expected !== wireToCents(line.Amount ?? 0)) {
      ctx.addIssue({ code: "custom", path: ["Line", index, "Amount"], message: `must equal Qty × UnitPrice (${expected / 100})` });
    }
  });
}

function checkPaymentLines(value: { TotalAmt?: number | undefined; Line?: Array<{ Amount: number }> | undefined }, ctx: z.RefinementCtx): void {
  if (value.TotalAmt === undefined || !value.Line) return;
  const applied = value.Line.reduce((sum, line) => sum + wireToCents(line.Amount), 0);
  if (applied > wireToCents(value.TotalAmt)) ctx.addIssue({ code: "custom", path: ["Line"], message: "applied amounts exceed TotalAmt" });
}

function checkBalanced(value: { Line?: Array<{ Amount: number; JournalEntryLineDetail: { PostingType: "Debit" | "Credit" } }> | undefined }, ctx: z.RefinementCtx): void {
  if (!value.Line) return;
  let debits = 0;
  let credits = 0;
  for (const line of value.Line) {
    if (line.JournalEntryLineDetail.PostingType === "Debit") debits += wireToCents(line.Amount);
    else credits += wireToCents(line.Amount);
  }
  if (debits !== credits) ctx.addIssue({ code: "custom", path: ["Line"], message: `debits (${debits / 100}) must equal credits (${credits / 100})` });
}
