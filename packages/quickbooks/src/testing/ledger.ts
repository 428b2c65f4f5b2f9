/**
 * The fake's books: stored entities per realm, the rules QuickBooks enforces on writes
 * (required fields, references that must exist and be active, unique display names and
 * document numbers, Amount = Qty × UnitPrice, balanced journal entries, AR lines naming a
 * customer, SyncToken on every update), and the balances QuickBooks derives (invoice and
 * customer balances from payments and journal lines) — all in integer cents.
 */

/** A Fault entry as Intuit sends it. @public */
export interface FakeFaultEntry {
  Message: string;
  Detail?: string;
  code: string;
  element?: string;
}

/** A refusal: HTTP status and Fault. @internal */
export class FakeFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly errors: FakeFaultEntry[],
  ) {
    super(errors[0]?.Message ?? type);
  }
}

const fault = (code: string, message: string, detail: string, element?: string): FakeFault =>
  new FakeFault(400, "ValidationFault", [{ Message: message, Detail: detail, code, ...(element ? { element } : {}) }]);

/** Intuit's wording for the faults the fake raises. @internal */
export const FAULTS = {
  notFound: (what: string) => fault("610", "Object Not Found", `Object Not Found : Something you're trying to use has been made inactive or does not exist (${what}). Check the fields with accounts, customers, items, vendors or employees.`),
  stale: () => fault("5010", "Stale Object Error", "Stale Object Error : You and another user were working on this at the same time. The other user finished before you did, so your work was not saved."),
  duplicateName: () => fault("6240", "Duplicate Name Exists Error", "The name supplied already exists. : Another customer, vendor or employee is already using this name. Please use a different name."),
  duplicateDocNumber: () => fault("6210", "Duplicate Document Number Error", "Duplicate Document Number Error : You must specify a different number. This number has already been used."),
  required: (field: string) => fault("2020", "Required param missing, need to supply the required value for the API", `Required parameter ${field} is missing in the request`, field),
  invalid: (field: string, detail: string) => fault("2050", "String length is either shorter or longer than supported by specification", detail, field),
  business: (detail: string, element?: string) => fault("6000", "A business validation error has occurred while processing your request", `Business Validation Error: ${detail}`, element),
  unsupported: (detail: string) => fault("500", "Unsupported Operation", `Operation ${detail} is not supported.`),
};

type Row = Record<string, unknown> & { Id: string; SyncToken: string };

/** Entities the fake stores. @public */
export const FAKE_ENTITIES = ["Customer", "Invoice", "Payment", "Bill", "JournalEntry", "Item", "Account", "Vendor", "CompanyInfo"] as const;
/** An entity the fake keeps (`Customer`, `Invoice`, `Payment`, `Bill`, `JournalEntry` …). @public */
export type FakeEntity = (typeof FAKE_ENTITIES)[number];

const NAME_LISTS = new Set<string>(["Customer", "Item", "Account", "Vendor"]);
const DELETABLE = new Set<string>(["Invoice", "Payment", "Bill", "JournalEntry"]);
const VOIDABLE = new Set<string>(["Invoice", "Payment"]);
/** Entities the fake creates and updates (QuickBooks also writes Account and CompanyInfo; the fake does not). @internal */
export const WRITABLE = new Set<string>(["Customer", "Invoice", "Payment", "Bill", "JournalEntry", "Vendor", "Item"]);

/** Integer cents of a wire amount (digits, not multiplication). @internal */
export function cents(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const text = typeof value === "number" ? String(value) : String(value).trim();
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw fault("2050", "Invalid Number", `Invalid amount ${text}: at most 2 decimals`);
  const out = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -out : out;
}
const money = (c: number): number => Number(`${c < 0 ? "-" : ""}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, "0")}`);

/** What a write did, for webhooks. @public */
export interface FakeChange {
  realmId: string;
  entity: string;
  entityId: string;
  operation: "Create" | "Update" | "Delete" | "Merge" | "Void" | "Emailed";
  lastUpdated: string;
  deletedId?: string;
}

/** @internal */
export function createLedger(options: { realmId: string; companyName: string; now: () => number; seed: boolean }) {
  const tables = new Map<string, Map<string, Row>>(FAKE_ENTITIES.map((e) => [e, new Map()]));
  const changes: FakeChange[] = [];
  let nextId = 100;
  const iso = (): string => new Date(options.now()).toISOString();
  const table = (entity: string): Map<string, Row> => tables.get(entity)!;

  function insert(entity: FakeEntity, body: Record<string, unknown>, id?: string): Row {
    const at = iso();
    const row: Row = { ...body, Id: id ?? String(nextId++), SyncToken: "0", domain: "QBO", sparse: false, MetaData: { CreateTime: at, LastUpdatedTime: at } };
    if (NAME_LISTS.has(entity) && row.Active === undefined) row.Active = true;
    table(entity).set(row.Id, row);
    return row;
  }

  function seed(): void {
    insert("CompanyInfo", { CompanyName: options.companyName, Country: "US" }, options.realmId);
    insert("Account", { Name: "Accounts Receivable (A/R)", AccountType: "Accounts Receivable" }, "1");
    insert("Account", { Name: "Accounts Payable (A/P)", AccountType: "Accounts Payable" }, "33");
    insert("Account", { Name: "Checking", AccountType: "Bank" }, "35");
    insert("Account", { Name: "Loan Payoff Clearing", AccountType: "Other Current Asset" }, "45");
    insert("Account", { Name: "Construction Costs", AccountType: "Expense" }, "7");
    insert("Account", { Name: "Draw Income", AccountType: "Income" }, "79");
    insert("Item", { Name: "Services", Type: "Service", IncomeAccountRef: { value: "79" } }, "1");
    insert("Item", { Name: "Construction Draw", Type: "Service", IncomeAccountRef: { value: "79" } }, "2");
    insert("Vendor", { DisplayName: "Acme Builders" }, "46");
  }
  if (options.seed) seed();

  const active = (entity: string, id: unknown): Row | undefined => {
    const row = typeof id === "string" ? table(entity).get(id) : undefined;
    return row && row.Active !== false ? row : undefined;
  };
  const refOf = (value: unknown): string | undefined => (value && typeof value === "object" ? ((value as { value?: unknown }).value as string | undefined) : undefined);
  const requireRef = (entity: string, ref: unknown, element: string): Row => {
    const row = active(entity, refOf(ref));
    if (!row) throw Object.assign(FAULTS.notFound(`${entity} ${String(refOf(ref))}`), {});
    void element;
    return row;
  };

  function nameTaken(name: string, exceptEntity: string, exceptId?: string): boolean {
    for (const entity of ["Customer", "Vendor"]) {
      for (const row of table(entity).values()) {
        if (entity === exceptEntity && row.Id === exceptId) continue;
        if (String(row.DisplayName ?? "").toLowerCase() === name.toLowerCase()) return true;
      }
    }
    return false;
  }

  /** Payments applied to an invoice, in cents. */
  function applied(invoiceId: string): number {
    let sum = 0;
    for (const payment of table("Payment").values()) {
      for (const line of (payment.Line as Array<{ Amount: number; LinkedTxn: Array<{ TxnId: string; TxnType: string }> }> | undefined) ?? []) {
        if (line.LinkedTxn.some((l) => l.TxnType === "Invoice" && l.TxnId === invoiceId)) sum += cents(line.Amount);
      }
    }
    return sum;
  }

  function invoiceTotal(row: Record<string, unknown>): number {
    let total = 0;
    for (const line of (row.Line as Array<Record<string, unknown>>) ?? []) {
      if (line.DetailType === "SalesItemLineDetail") total += cents(line.Amount);
      if (line.DetailType === "DiscountLineDetail") total -= cents(line.Amount);
    }
    return total;
  }

  /** The entity as QuickBooks returns it, derived fields included. */
  function view(entity: string, row: Row): Row {
    const out: Row = structuredClone(row);
    if (entity === "Invoice") {
      const total = row.Voided ? 0 : invoiceTotal(row);
      out.TotalAmt = money(total);
      out.Balance = money(Math.max(0, total - applied(row.Id)));
      const customer = table("Customer").get(refOf(row.CustomerRef) ?? "");
      if (customer) out.CustomerRef = { value: customer.Id, name: customer.DisplayName };
    } else if (entity === "Payment") {
      const total = cents(row.TotalAmt);
      const lines = ((row.Line as Array<{ Amount: number }>) ?? []).reduce((s, l) => s + cents(l.Amount), 0);
      out.UnappliedAmt = money(total - lines);
    } else if (entity === "Bill") {
      const total = ((row.Line as Array<{ Amount: number }>) ?? []).reduce((s, l) => s + cents(l.Amount), 0);
      out.TotalAmt = money(total);
      out.Balance = money(total);
    } else if (entity === "JournalEntry") {
      const debits = ((row.Line as Array<{ Amount: number; JournalEntryLineDetail: { PostingType: string } }>) ?? [])
        .filter((l) => l.JournalEntryLineDetail.PostingType === "Debit")
        .reduce((s, l) => s + cents(l.Amount), 0);
      out.TotalAmt = money(debits);
    } else if (entity === "Customer") {
      const balance = customerBalance(row.Id);
      out.Balance = money(balance);
      out.BalanceWithJobs = money(balance);
    }
    delete out.Voided;
    return out;
  }

  function customerBalance(customerId: string): number {
    let balance = 0;
    for (const invoice of table("Invoice").values()) {
      if (refOf(invoice.CustomerRef) !== customerId || invoice.Voided) continue;
      balance += Math.max(0, invoiceTotal(invoice) - applied(invoice.Id));
    }
    for (const payment of table("Payment").values()) {
      if (refOf(payment.CustomerRef) !== customerId) continue;
      const lines = ((payment.Line as Array<{ Amount: number }>) ?? []).reduce((s, l) => s + cents(l.Amount), 0);
      balance -= cents(payment.TotalAmt) - lines;
    }
    for (const entry of table("JournalEntry").values()) {
      for (const line of (entry.Line as Array<{ Amount: number; JournalEntryLineDetail: { PostingType: string; AccountRef: unknown; Entity?: { EntityRef: unknown } } }>) ?? []) {
        const account = table("Account").get(refOf(line.JournalEntryLineDetail.AccountRef) ?? "");
        if (account?.AccountType !== "Accounts Receivable" || refOf(line.JournalEntryLineDetail.Entity?.EntityRef) !== customerId) continue;
        balance += line.JournalEntryLineDetail.PostingType === "Debit" ? cents(line.Amount) : -cents(line.Amount);
      }
    }
    return balance;
  }

  /** The rules of one entity's body (after a sparse merge). */
  function validate(entity: string, body: Record<string, unknown>, id?: string): void {
    if (entity === "Customer" || entity === "Vendor") {
      const name = body.DisplayName;
      if (typeof name !== "string" || name.trim() === "") throw FAULTS.required("DisplayName");
      if (nameTaken(name, entity, id)) throw FAULTS.duplicateName();
      return;
    }
    if (entity === "Item") {
      if (typeof body.Name !== "string" || body.Name === "") throw FAULTS.required("Name");
      return;
    }
    const lines = body.Line as Array<Record<string, unknown>> | undefined;
    if (entity === "Invoice") {
      requireRef("Customer", body.CustomerRef, "CustomerRef");
      if (!Array.isArray(lines) || lines.length === 0) throw FAULTS.required("Line");
      if (typeof body.DocNumber === "string") {
        if (body.DocNumber.length > 21) throw FAULTS.invalid("DocNumber", "String length specified does not match the supported length. Max allowed length: 21");
        for (const other of table("Invoice").values()) if (other.Id !== id && other.DocNumber === body.DocNumber && !body.__allowDuplicateDocNumber) throw FAULTS.duplicateDocNumber();
      }
      lines.forEach((line, i) => {
        if (line.DetailType !== "SalesItemLineDetail") return;
        const detail = (line.SalesItemLineDetail ?? {}) as { ItemRef?: unknown; Qty?: number; UnitPrice?: number };
        requireRef("Item", detail.ItemRef, `Line.${i}.SalesItemLineDetail.ItemRef`);
        if (detail.Qty !== undefined && detail.UnitPrice !== undefined && Math.round(detail.Qty * detail.UnitPrice * 100) !== cents(line.Amount)) {
          throw FAULTS.business(`Amount is not equal to UnitPrice * Qty. Supplied value:${String(line.Amount)}`, `Line.${i}.Amount`);
        }
      });
      return;
    }
    if (entity === "Payment") {
      const customer = requireRef("Customer", body.CustomerRef, "CustomerRef");
      if (body.TotalAmt === undefined) throw FAULTS.required("TotalAmt");
      let sum = 0;
      for (const line of (lines as Array<{ Amount: number; LinkedTxn?: Array<{ TxnId: string; TxnType: string }> }>) ?? []) {
        sum += cents(line.Amount);
        for (const link of line.LinkedTxn ?? []) {
          if (link.TxnType !== "Invoice") continue;
          const invoice = table("Invoice").get(link.TxnId);
          if (!invoice) throw FAULTS.notFound(`Invoice ${link.TxnId}`);
          if (refOf(invoice.CustomerRef) !== customer.Id) throw FAULTS.business(`Invoice ${link.TxnId} belongs to another customer`);
        }
      }
      if (sum > cents(body.TotalAmt)) throw FAULTS.business("The amount applied to transactions exceeds the payment amount");
      return;
    }
    if (entity === "Bill") {
      requireRef("Vendor", body.VendorRef, "VendorRef");
      if (!Array.isArray(lines) || lines.length === 0) throw FAULTS.required("Line");
      lines.forEach((line, i) => {
        if (line.DetailType === "AccountBasedExpenseLineDetail") requireRef("Account", (line.AccountBasedExpenseLineDetail as { AccountRef?: unknown })?.AccountRef, `Line.${i}`);
        if (line.DetailType === "ItemBasedExpenseLineDetail") requireRef("Item", (line.ItemBasedExpenseLineDetail as { ItemRef?: unknown })?.ItemRef, `Line.${i}`);
      });
      return;
    }
    if (entity === "JournalEntry") {
      if (!Array.isArray(lines) || lines.length === 0) throw FAULTS.required("Line");
      let debits = 0;
      let credits = 0;
      lines.forEach((line, i) => {
        const detail = (line.JournalEntryLineDetail ?? {}) as { PostingType?: string; AccountRef?: unknown; Entity?: { Type?: string; EntityRef?: unknown } };
        const account = requireRef("Account", detail.AccountRef, `Line.${i}`);
        if (detail.PostingType === "Debit") debits += cents(line.Amount);
        else if (detail.PostingType === "Credit") credits += cents(line.Amount);
        else throw FAULTS.required(`Line.${i}.JournalEntryLineDetail.PostingType`);
        if (account.AccountType === "Accounts Receivable" && !(detail.Entity?.Type === "Customer" && active("Customer", refOf(detail.Entity.EntityRef)))) {
          throw FAULTS.business("When you use Accounts Receivable, you must choose a customer in the Name field.", `Line.${i}`);
        }
        if (account.AccountType === "Accounts Payable" && !(detail.Entity?.Type === "Vendor" && active("Vendor", refOf(detail.Entity.EntityRef)))) {
          throw FAULTS.business("When you use Accounts Payable, you must choose a vendor in the Name field.", `Line.${i}`);
        }
      });
      if (debits !== credits) throw FAULTS.business("Transaction must be balanced: debits and credits are not equal.");
    }
  }

  function record(entity: string, id: string, operation: FakeChange["operation"], extra: Partial<FakeChange> = {}): void {
    changes.push({ realmId: options.realmId, entity, entityId: id, operation, lastUpdated: iso(), ...extra });
  }

  const writableOrThrow = (entity: string): void => {
    if (!WRITABLE.has(entity)) throw FAULTS.unsupported(`create/update on ${entity}`);
  };
  const SYSTEM = new Set(["Id", "SyncToken", "MetaData", "domain", "sparse", "TotalAmt", "Balance", "BalanceWithJobs", "UnappliedAmt", "status"]);
  // A payment's TotalAmt is what the caller says; an invoice's or bill's is derived from its lines.
  const writable = (body: Record<string, unknown>, entity: string): Record<string, unknown> =>
    Object.fromEntries(Object.entries(body).filter(([k]) => !SYSTEM.has(k) || (entity === "Payment" && k === "TotalAmt")));

  return {
    tables,
    changes,
    insert,
    view,
    get(entity: string, id: string): Row {
      const row = tables.get(entity)?.get(id);
      if (!row) throw FAULTS.notFound(`${entity} ${id}`);
      return view(entity, row);
    },
    rows(entity: string): Row[] {
      return [...(tables.get(entity)?.values() ?? [])].map((row) => view(entity, row));
    },
    create(entity: string, body: Record<string, unknown>, flags: { allowDuplicateDocNumber?: boolean } = {}): Row {
      writableOrThrow(entity);
      const fields = writable(body, entity);
      validate(entity, flags.allowDuplicateDocNumber ? { ...fields, __allowDuplicateDocNumber: true } : fields);
      if (entity === "Payment" && fields.TotalAmt !== undefined) fields.TotalAmt = money(cents(fields.TotalAmt));
      const row = insert(entity as FakeEntity, fields);
      record(entity, row.Id, "Create");
      return view(entity, row);
    },
    update(entity: string, body: Record<string, unknown>, flags: { allowDuplicateDocNumber?: boolean } = {}): Row {
      writableOrThrow(entity);
      const id = typeof body.Id === "string" ? body.Id : undefined;
      if (!id) throw FAULTS.required("Id");
      const current = table(entity).get(id);
      if (!current) throw FAULTS.notFound(`${entity} ${id}`);
      if (body.SyncToken === undefined) throw FAULTS.required("SyncToken");
      if (String(body.SyncToken) !== current.SyncToken) throw FAULTS.stale();
      const base = body.sparse === true ? writable(current, entity) : {};
      const merged = { ...base, ...writable(body, entity) };
      validate(entity, flags.allowDuplicateDocNumber ? { ...merged, __allowDuplicateDocNumber: true } : merged, id);
      const row: Row = {
        ...merged,
        Id: id,
        SyncToken: String(Number(current.SyncToken) + 1),
        domain: "QBO",
        sparse: false,
        MetaData: { ...(current.MetaData as object), LastUpdatedTime: iso() },
        ...(current.Voided ? { Voided: true } : {}),
      };
      if (NAME_LISTS.has(entity) && row.Active === undefined) row.Active = true;
      table(entity).set(id, row);
      record(entity, id, "Update");
      return view(entity, row);
    },
    remove(entity: string, body: Record<string, unknown>): Record<string, unknown> {
      if (!DELETABLE.has(entity)) throw FAULTS.unsupported(`delete on ${entity} (make a name-list entity inactive instead)`);
      const id = String(body.Id ?? "");
      const current = table(entity).get(id);
      if (!current) throw FAULTS.notFound(`${entity} ${id}`);
      if (String(body.SyncToken) !== current.SyncToken) throw FAULTS.stale();
      table(entity).delete(id);
      record(entity, id, "Delete");
      return { status: "Deleted", domain: "QBO", Id: id };
    },
    void(entity: string, body: Record<string, unknown>): Row {
      if (!VOIDABLE.has(entity)) throw FAULTS.unsupported(`void on ${entity}`);
      const id = String(body.Id ?? "");
      const current = table(entity).get(id);
      if (!current) throw FAULTS.notFound(`${entity} ${id}`);
      if (String(body.SyncToken) !== current.SyncToken) throw FAULTS.stale();
      const row: Row = { ...current, SyncToken: String(Number(current.SyncToken) + 1), PrivateNote: `Voided${current.PrivateNote ? ` - ${String(current.PrivateNote)}` : ""}`, MetaData: { ...(current.MetaData as object), LastUpdatedTime: iso() } };
      if (entity === "Invoice") row.Voided = true;
      if (entity === "Payment") {
        row.TotalAmt = 0;
        row.Line = [];
      }
      table(entity).set(id, row);
      record(entity, id, "Void");
      return view(entity, row);
    },
    clear(): void {
      for (const t of tables.values()) t.clear();
      changes.length = 0;
      nextId = 100;
      if (options.seed) seed();
    },
  };
}

/** @internal */
export type Ledger = ReturnType<typeof createLedger>;
