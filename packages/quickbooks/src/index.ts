/**
 * @connect/quickbooks — QuickBooks Online (Intuit Accounting API v3) for the Connect Integration
 * SDK: OAuth 2.0 with rotating refresh tokens in a TokenStore, accounting entities with SyncToken
 * and requestid, a safe query helper with paging, loan-servicing helpers, reconciliation, and
 * signed webhooks in both payload formats.
 */
export {
  createQuickBooksClient,
  MIN_MINOR_VERSION,
  QUICKBOOKS_BASE_URLS,
  QUICKBOOKS_POLICY_DEFAULTS,
  type EntityClient,
  type PagedQueryOptions,
  type PageQueryOptions,
  type QueryClient,
  type QuickBooksAccounting,
  type QuickBooksClient,
  type QuickBooksClientOptions,
} from "./client.js";
export {
  createQuickBooksOAuth,
  DEFAULT_RECONNECT_WARNING_MS,
  QUICKBOOKS_OAUTH_ENDPOINTS,
  QUICKBOOKS_SCOPES,
  type QuickBooksConnection,
  type QuickBooksOAuth,
  type QuickBooksOAuthEndpoints,
  type QuickBooksOAuthOptions,
  type QuickBooksTokenStatus,
  type ReconnectNotice,
} from "./oauth.js";
export {
  classifyOAuthError,
  classifyQuickBooksError,
  FAULT_CODES,
  readFault,
  type ClassifyOptions,
  type QuickBooksFault,
  type QuickBooksFaultEntry,
} from "./errors.js";
export { centsToDecimal, centsToWire, toCents, wireToCents, type Money } from "./money.js";
export { countStatement, MAX_PAGE_SIZE, qbql, quoteValue, selectStatement, type QueryCondition, type QueryOptions, type QueryValue, type QueryWhere } from "./query.js";
export { requestIdFor } from "./operations/common.js";
export { billOperations, customerOperations, getItem, invoiceOperations, journalEntryOperations, paymentOperations } from "./operations/entities.js";
export { getCompanyInfo, QueryResponse, runQuery } from "./operations/query.js";
export {
  Address,
  Amount,
  Bill,
  BillLine,
  CompanyInfo,
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
  InvoiceLine,
  Item,
  JournalEntry,
  JournalEntryLine,
  LinkedTxn,
  Payment,
  Ref,
  SalesItemLine,
  UpdateBillInput,
  UpdateCustomerInput,
  UpdateInvoiceInput,
  UpdateJournalEntryInput,
  UpdatePaymentInput,
} from "./schemas.js";
export {
  DrawDisbursedInput,
  LoanFundedInput,
  LoanPaidOffInput,
  PaymentReceivedInput,
  type LoanPaidOffResult,
  type LoanServicing,
  type LoanServicingOptions,
} from "./loan-servicing.js";
export { type HostLoanBalance, type ReconcileInput, type ReconciledLoan, type ReconciliationReport } from "./reconciliation.js";
export {
  cloudEventType,
  entityNameOf,
  parseQuickBooksWebhook,
  QUICKBOOKS_ENTITY_NAMES,
  type InvalidQuickBooksChange,
  type ParsedQuickBooksWebhook,
  type QuickBooksEntityChange,
  type QuickBooksEntityName,
  type QuickBooksOperation,
} from "./webhooks/events.js";
export { QUICKBOOKS_SIGNATURE_HEADER, quickBooksWebhookVerifier } from "./webhooks/verify.js";
export {
  createMemoryChangeQueue,
  createQuickBooksChangeProcessor,
  createQuickBooksWebhookHandler,
  type ChangeOutcome,
  type ChangeProcessorOptions,
  type MemoryChangeQueue,
  type QuickBooksChangeHandler,
  type QuickBooksChangeProcessor,
  type QuickBooksChangeQueue,
  type QuickBooksWebhookHandler,
  type QuickBooksWebhookOptions,
} from "./webhooks/receiver.js";
export { createQuickBooksLedger, type QuickBooksLedgerClient, type QuickBooksLedgerOptions } from "./ledger.js";
