/**
 * createAuthentisignClient: signings, participants, CCs and executed documents on
 * Authentisign's documented v1 API, run by @connect/core's runtime with OAuth client
 * credentials, the e-signature policy defaults and Authentisign's error mapping.
 */
import {
  type AuthStrategy,
  CATEGORY_DEFAULTS,
  type ClientOptionsBase,
  createRuntime,
  type HealthResult,
  type IntegrationContext,
  type Operation,
  type PolicyOptions,
  resolvePolicy,
  type SecretProvider,
  tokenAuth,
} from "@connect/core";
import pkg from "../package.json" with { type: "json" };
import { AUTHENTISIGN, RECONCILE_CLOCK_SKEW_MS } from "./assumptions.js";
import { clientCredentials } from "./auth.js";
import { classifyAuthentisignError, notSent } from "./errors.js";
import { downloadDocument } from "./operations/documents.js";
import { addCcs, listParticipants } from "./operations/participants.js";
import {
  bytesOf,
  cancelSigning,
  createSigningOperation,
  deleteSigning,
  getSigning,
  listSignings,
  sendSigning,
  setCallbackUrl,
} from "./operations/signings.js";
import { CreateSigningInput, type ListSigningsInput, type Signing } from "./schemas.js";

/** The documented API base (v1 paths are appended). @public */
export const AUTHENTISIGN_BASE_URL = "https://api.lwolf.com/authentisign";

/**
 * Authentisign's policy defaults. No rate limit is documented, so the limiter and breaker use
 * the platform's e-signature category numbers (shared/vendors/authentisign.md §3).
 * @public
 */
export const AUTHENTISIGN_POLICY_DEFAULTS: PolicyOptions = {
  retry: { attempts: 3, minDelayMs: 250, maxDelayMs: 20_000 },
  breaker: CATEGORY_DEFAULTS.eSignature.breaker,
  limiter: CATEGORY_DEFAULTS.eSignature.limiter,
  timeout: { attemptMs: 60_000, totalMs: 180_000 },
};

/** Options of {@link createAuthentisignClient}. @public */
export interface AuthentisignClientOptions extends ClientOptionsBase {
  /** OAuth client id from Lone Wolf's integrations team. */
  clientId: string;
  /** The client secret, or a SecretProvider holding it (read as `clientSecretName`). */
  clientSecret: string | SecretProvider;
  /** Secret name read from a SecretProvider. Default `AUTHENTISIGN_CLIENT_SECRET`. */
  clientSecretName?: string | undefined;
  /**
   * API base URL, e.g. `https://api.lwolf.com/authentisign` (`AUTHENTISIGN_BASE_URL`). Required:
   * Lone Wolf publishes a direct host and a gateway, and no sandbox; tests point it at the fake.
   */
  baseUrl: string;
  /** Token endpoint. Default `https://gateway.lwolf.com/oauth/token`. */
  tokenUrl?: string | undefined;
  /** OAuth `audience`. Default `https://api.lwolf.com`. */
  audience?: string | undefined;
  /** Optional `lwt_client_id` (customer instance id) of the token request. */
  lwtClientId?: string | undefined;
  /** Default `externalId` header for create, list, send and CCs (its meaning is undocumented). */
  externalId?: string | undefined;
  /** Sent as `lw-subscription-key` on every API call (needed on Lone Wolf's gateway). */
  subscriptionKey?: string | undefined;
  /** Refresh the token this long before it expires (ms). Default 300 000. */
  tokenRefreshSkewMs?: number | undefined;
  /** Clock (epoch ms): token expiry, reconcile window, Retry-After dates. */
  now?: (() => number) | undefined;
}

function subscriptionAuth(inner: AuthStrategy, key: string | undefined): AuthStrategy {
  if (!key) return inner;
  return {
    async apply(request, ctx) {
      const authed = await inner.apply(request, ctx);
      return { ...authed, headers: { ...authed.headers, "lw-subscription-key": key } };
    },
    ...(inner.refresh ? { refresh: (ctx) => inner.refresh!(ctx) } : {}),
  };
}

/** An Authentisign client: every operation, a health check and close(). @public */
export type AuthentisignClient = ReturnType<typeof build>;

function build(options: AuthentisignClientOptions) {
  const now = options.now ?? Date.now;
  const credentials = clientCredentials({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientSecretName: options.clientSecretName,
    tokenUrl: options.tokenUrl,
    audience: options.audience,
    lwtClientId: options.lwtClientId,
    refreshSkewMs: options.tokenRefreshSkewMs,
    now,
    policy: options.policy,
    telemetry: options.telemetry,
    transport: options.transport,
    version: pkg.version,
  });
  const runtime = createRuntime({
    adapter: { id: AUTHENTISIGN, version: pkg.version },
    baseUrl: options.baseUrl,
    params: options.externalId ? { externalId: options.externalId } : {},
    auth: subscriptionAuth(tokenAuth(credentials.tokens), options.subscriptionKey),
    defaults: AUTHENTISIGN_POLICY_DEFAULTS,
    policy: options.policy,
    telemetry: options.telemetry,
    drift: options.drift,
    deadLetters: options.deadLetters,
    idempotencyStore: options.idempotencyStore,
    transport: options.transport,
    classifyError: (response, ctx) => classifyAuthentisignError(response, { operation: ctx.operation, now }),
    healthCheck: (rt) => rt.run(listSignings, { itemLimit: 1 }),
  });
  // A signing created by an earlier attempt of this call cannot be older than the call's deadline.
  const createSigning = createSigningOperation({ now, reconcileWindowMs: resolvePolicy(runtime.policy).timeout.totalMs + RECONCILE_CLOCK_SKEW_MS });
  const create = runtime.bind(createSigning);
  const send = runtime.bind(sendSigning);
  const list = runtime.bind(listSignings);

  const operationList = [createSigning, sendSigning, getSigning, listSignings, setCallbackUrl, deleteSigning, cancelSigning, listParticipants, addCcs, downloadDocument];
  const operations: Record<string, Operation> = Object.fromEntries(operationList.map((op) => [op.id, op as unknown as Operation]));

  return {
    id: AUTHENTISIGN as "authentisign",
    version: pkg.version,
    operations,
    signings: {
      /**
       * Upload documents and participants (a draft); with `send: true`, send it right after and
       * return the re-read signing (the created one with the sent status, if that re-read fails).
       * A failed send is a `SigningNotSentError` carrying the draft's `signingId`.
       */
      async create(input: CreateSigningInput, ctx?: IntegrationContext): Promise<Signing> {
        const { send: sendNow, ...rest } = createSigning.validate(input, { vendor: AUTHENTISIGN });
        // Streams are read once here, so the idempotency key covers the bytes and a retry can re-send them.
        const files = await Promise.all(rest.files.map(async (file) => ({ ...file, content: await bytesOf(file) })));
        const created = await create({ ...rest, files } as CreateSigningInput, ctx);
        if (!sendNow) return created;
        let sent: { status: Signing["status"] };
        try {
          sent = await send({ signingId: created.id, externalId: rest.externalId }, { ...ctx, idempotencyKey: undefined });
        } catch (error) {
          throw notSent(error, created.id, "send");
        }
        // It is sent: a failed re-read must not look like a failed create (which invites a second one).
        return runtime.run(getSigning, { signingId: created.id }, { ...ctx, idempotencyKey: undefined }).catch(() => ({ ...created, status: sent.status }));
      },
      /** Send a draft: invitations go out (`send-signing`). */
      send,
      /** One signing with its participants. */
      get: runtime.bind(getSigning),
      /** Signings, filtered and paged as the API documents. */
      list: (query: ListSigningsInput = {}, ctx?: IntegrationContext): Promise<Signing[]> => list(query, ctx),
      /** Set or change the signing's callback URL. */
      setCallbackUrl: runtime.bind(setCallbackUrl),
      /** Soft-delete a signing (whatever its state). */
      delete: runtime.bind(deleteSigning),
      /** Stop an unfinished signing (refuses completed/declined/expired with `ConflictError`). */
      cancel: runtime.bind(cancelSigning),
    },
    participants: {
      /** The signing's participants with their status. */
      list: runtime.bind(listParticipants),
    },
    ccs: {
      /** Add people who receive a copy. */
      add: runtime.bind(addCcs),
    },
    documents: {
      /** Stream the signed package (`signed`), its certificate, or the latest partially signed package. */
      download: runtime.bind(downloadDocument),
    },
    /** The breaker state (`closed`, `open`, `half-open`) for a tenant or the whole client. */
    breakerState: (tenantId?: string) => runtime.breakerState(tenantId),
    /** A cheap authenticated call (one signing of the list). */
    healthCheck: (): Promise<HealthResult> => runtime.healthCheck(),
    /** How many tokens were minted (for metrics and tests). */
    get tokenFetches(): number {
      return credentials.tokens.fetches;
    },
    /** Close connections and timers. */
    async close(): Promise<void> {
      await runtime.close();
      await credentials.close();
    },
  };
}

/**
 * Create an Authentisign client.
 * @example
 * const authentisign = createAuthentisignClient({
 *   clientId: process.env.AUTHENTISIGN_CLIENT_ID!, clientSecret: secrets, baseUrl: AUTHENTISIGN_BASE_URL,
 * });
 * const signing = await authentisign.signings.create({
 *   name: "Loan LN-1001 closing package",
 *   participants: [{ firstName: "Ana", lastName: "Borrower", email: "ana@example.com", order: 1 }],
 *   files: [{ name: "Loan agreement.pdf", content: pdfBytes }],
 *   send: true,
 * });
 * @public
 */
export function createAuthentisignClient(options: AuthentisignClientOptions): AuthentisignClient {
  if (!options || typeof options.baseUrl !== "string" || options.baseUrl.trim() === "") {
    throw new TypeError("createAuthentisignClient: baseUrl is required (e.g. AUTHENTISIGN_BASE_URL)");
  }
  return build(options);
}
