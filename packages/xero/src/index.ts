/**
 * @connect/xero — Xero Accounting API 2.0 for the Connect Integration SDK: OAuth 2.0 with rotating
 * refresh tokens shared through a TokenStore, a client per tenant (contacts, ACCREC invoices,
 * payments) with Idempotency-Key on writes and Xero's per-tenant limits, signed webhooks with the
 * intent-to-receive handshake, and core's provider-neutral `Ledger`.
 */
export { createXeroClient, XERO_BASE_URL, XERO_POLICY_DEFAULTS, type XeroClient, type XeroClientOptions } from "./client.js";
export {
  createXeroOAuth,
  DEFAULT_XERO_SCOPES,
  XERO_OAUTH_ENDPOINTS,
  XERO_SCOPES,
  type XeroGrant,
  type XeroOAuth,
  type XeroOAuthEndpoints,
  type XeroOAuthOptions,
} from "./oauth.js";
export {
  classifyXeroError,
  classifyXeroOAuthError,
  DuplicateContactNameError,
  validationIssues,
  XERO_RATE_LIMIT_WAITS,
  XeroRateLimitedError,
  type ClassifyXeroOptions,
  type XeroRateLimitProblem,
} from "./errors.js";
export { XERO_LIMITS, xeroTenantLimiter, type XeroLimits } from "./limits.js";
export { createXeroLedger, xeroInvoiceStatus, type XeroLedgerOptions } from "./ledger.js";
export { quoteWhere, whereEquals, whereGuid } from "./where.js";
export { createContact, findContact, getContact, listContacts, updateContact } from "./operations/contacts.js";
export { createInvoice, getInvoice, listInvoices, voidInvoice } from "./operations/invoices.js";
export { createPayment, findPayment, getPayment, listPayments } from "./operations/payments.js";
export {
  CreateContactInput,
  CreateInvoiceInput,
  CreatePaymentInput,
  FindContactInput,
  GetByIdInput,
  ListContactsInput,
  ListInvoicesInput,
  ListPaymentsInput,
  parseXeroDate,
  UpdateContactInput,
  VoidInvoiceInput,
  XeroAddressInput,
  XeroAmount,
  XeroConnection,
  XeroContact,
  XeroDateInput,
  XeroInvoice,
  XeroInvoiceStatus,
  XeroLineItem,
  XeroLineItemInput,
  XeroPagination,
  XeroPayment,
  XeroPhoneInput,
  XeroQuantity,
  type XeroPage,
} from "./schemas.js";
export { XERO_SIGNATURE_HEADER, xeroWebhookVerifier } from "./webhooks/verify.js";
export { parseXeroWebhook, XeroWebhookEventWire, type InvalidXeroEvent, type ParsedXeroWebhook, type XeroWebhookEvent } from "./webhooks/events.js";
export { createXeroWebhookHandler, type XeroWebhookHandler, type XeroWebhookOptions } from "./webhooks/receiver.js";
