// The lending platform's own records, in memory: leads (the BPO import's store), the loan, its
// signature request, ledger references and borrower notifications. A real host keeps these in
// its database; the SDK never owns them.

/** Values that arrive later (from a webhook), awaited by key. */
export function keyedWaiters(what) {
  const values = new Map();
  const waiting = new Map();
  return {
    resolve(key, value) {
      values.set(key, value);
      waiting.get(key)?.forEach((resolve) => resolve(value));
      waiting.delete(key);
    },
    waitFor(key, timeoutMs = 15_000) {
      if (values.has(key)) return Promise.resolve(values.get(key));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} for ${key} within ${timeoutMs} ms`)), timeoutMs);
        const list = waiting.get(key) ?? [];
        list.push((value) => (clearTimeout(timer), resolve(value)));
        waiting.set(key, list);
      });
    },
  };
}

/** The platform's database. `leads` implements @connect/bpo's `BpoImportStore`. */
export function createPlatform() {
  const leads = new Map();
  const loans = new Map();
  return {
    /** Verified Textract completions, by job id. */
    surveyNotifications: keyedWaiters("Textract notification"),
    /** Signed PDFs saved, by signature id. */
    signedDocuments: keyedWaiters("signed document"),
    /** QuickBooks changes processed from its webhook. */
    ledgerChanges: [],
    leads: {
      records: leads,
      async findByExternalId(externalId) {
        const lead = leads.get(externalId);
        return lead ? { status: lead.status, updatedAt: lead.updatedAt, sourceUpdatedAt: lead.sourceUpdatedAt } : undefined;
      },
      async create(record) {
        leads.set(record.externalId, { ...record, updatedAt: record.sourceUpdatedAt, importedAs: "created" });
      },
      async update(externalId, record) {
        leads.set(externalId, { ...record, updatedAt: record.sourceUpdatedAt, importedAs: "updated" });
      },
    },
    loans,
    /** Open a loan on a lead (the platform takes the lead into underwriting). */
    openLoan({ number, lead, borrower, amountCents }) {
      const loan = {
        number,
        leadId: lead.externalId,
        projectId: `prj-${number}`,
        property: [lead.address, lead.city, lead.state].filter(Boolean).join(", "),
        address: lead.address,
        city: lead.city,
        state: lead.state,
        zip: lead.zip,
        borrower,
        amountCents,
        survey: undefined,
        signature: undefined,
        ledger: { customerId: undefined, invoices: [] },
        draws: [],
        notifications: { email: [], sms: [] },
        confirmed: false,
      };
      leads.get(lead.externalId).status = "FEASIBILITY";
      loans.set(number, loan);
      return loan;
    },
  };
}

/** `$480,000.00` from integer cents, digit by digit (never float arithmetic on money). */
export function dollars(cents) {
  const whole = String(Math.trunc(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `$${whole}.${String(cents % 100).padStart(2, "0")}`;
}

/** `12500.00` from integer cents: the decimal string core's `Ledger` takes. */
export function decimal(cents) {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** Integer cents of a ledger's decimal string (`"12500.5"` → 1250050), digit by digit. */
export function centsOf(amount) {
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount).trim());
  if (!match) throw new TypeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}
