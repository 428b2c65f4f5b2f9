/**
 * The fake identity server's state (shared/vendors/xero.md §1): single-use codes, 30-minute access
 * tokens (JWT-shaped), refresh tokens that ROTATE on every refresh — the previous one keeps working
 * for a grace period (30 min at Xero) in case the answer was lost, then answers `invalid_grant` —
 * 60-day refresh expiry, revocation of a whole grant, and the grant's tenant connections.
 */
import { randomBytes, randomUUID } from "node:crypto";

/** Token lifetimes the fake uses (ms). @public */
export const FAKE_XERO_TOKEN_LIFETIMES = { accessTokenMs: 1800_000, refreshTokenMs: 60 * 86_400_000, rotationGraceMs: 30 * 60_000 } as const;

/** A connection of a grant to a tenant. @public */
export interface FakeConnection {
  id: string;
  authEventId: string;
  tenantId: string;
  tenantType: "ORGANISATION" | "PRACTICE";
  tenantName: string;
  createdDateUtc: string;
  updatedDateUtc: string;
}

/** Tokens as the token endpoint returns them. @public */
export interface FakeIssuedTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: "Bearer";
  scope: string;
  id_token?: string;
}

interface Grant {
  id: string;
  userId: string;
  scopes: string[];
  revoked: boolean;
  connections: Map<string, FakeConnection>;
  authEventId: string;
}

interface RefreshRecord {
  grantId: string;
  expiresAt: number;
  supersededAt: number | undefined;
}

/** @internal */
export type RefreshOutcome = { ok: true; tokens: FakeIssuedTokens } | { ok: false; error: "invalid_grant" };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Xero's connection timestamps: UTC, 7 fraction digits, no zone. */
const xeroUtc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}0000`;

/** @internal */
export function createFakeOAuthState(options: { now: () => number; clientId: string; graceMs: number; tenants: ReadonlyArray<{ tenantId: string; tenantName: string; tenantType?: "ORGANISATION" | "PRACTICE" }> }) {
  const { now } = options;
  const grants = new Map<string, Grant>();
  const codes = new Map<string, { redirectUri: string; scopes: string[]; tenantIds: string[]; used: boolean; expiresAt: number }>();
  const access = new Map<string, { grantId: string; expiresAt: number }>();
  const refresh = new Map<string, RefreshRecord>();

  function connect(grant: Grant, tenantIds: readonly string[]): void {
    for (const tenant of options.tenants.filter((t) => tenantIds.includes(t.tenantId))) {
      if ([...grant.connections.values()].some((c) => c.tenantId === tenant.tenantId)) continue;
      const at = xeroUtc(now());
      const connection: FakeConnection = {
        id: randomUUID(),
        authEventId: grant.authEventId,
        tenantId: tenant.tenantId,
        tenantType: tenant.tenantType ?? "ORGANISATION",
        tenantName: tenant.tenantName,
        createdDateUtc: at,
        updatedDateUtc: at,
      };
      grant.connections.set(connection.id, connection);
    }
  }

  function issue(grant: Grant): FakeIssuedTokens {
    const issuedAt = now();
    const claims = {
      nbf: Math.floor(issuedAt / 1000),
      exp: Math.floor((issuedAt + FAKE_XERO_TOKEN_LIFETIMES.accessTokenMs) / 1000),
      iss: "https://identity.xero.com",
      aud: "https://identity.xero.com/resources",
      client_id: options.clientId,
      sub: grant.userId,
      xero_userid: grant.userId,
      authentication_event_id: grant.authEventId,
      jti: randomUUID(),
      scope: grant.scopes,
    };
    const accessToken = `${b64({ alg: "RS256", kid: "fake", typ: "JWT" })}.${b64(claims)}.${randomBytes(32).toString("base64url")}`;
    const refreshToken = randomBytes(32).toString("hex");
    access.set(accessToken, { grantId: grant.id, expiresAt: issuedAt + FAKE_XERO_TOKEN_LIFETIMES.accessTokenMs });
    refresh.set(refreshToken, { grantId: grant.id, expiresAt: issuedAt + FAKE_XERO_TOKEN_LIFETIMES.refreshTokenMs, supersededAt: undefined });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: FAKE_XERO_TOKEN_LIFETIMES.accessTokenMs / 1000,
      token_type: "Bearer",
      scope: grant.scopes.join(" "),
      ...(grant.scopes.includes("openid") ? { id_token: `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ sub: grant.userId, iss: "https://identity.xero.com" })}.sig` } : {}),
    };
  }

  function newGrant(scopes: string[], tenantIds: readonly string[]): Grant {
    const grant: Grant = { id: randomUUID(), userId: randomUUID(), scopes, revoked: false, connections: new Map(), authEventId: randomUUID() };
    grants.set(grant.id, grant);
    connect(grant, tenantIds);
    return grant;
  }

  return {
    createCode(redirectUri: string, scopes: string[], tenantIds: string[]): string {
      const code = randomBytes(24).toString("hex");
      codes.set(code, { redirectUri, scopes, tenantIds, used: false, expiresAt: now() + 5 * 60_000 });
      return code;
    },
    exchange(code: string, redirectUri: string): RefreshOutcome {
      const entry = codes.get(code);
      if (!entry || entry.used || entry.expiresAt <= now() || entry.redirectUri !== redirectUri) return { ok: false, error: "invalid_grant" };
      entry.used = true;
      return { ok: true, tokens: issue(newGrant(entry.scopes, entry.tenantIds)) };
    },
    grant(scopes: string[], tenantIds: readonly string[]): FakeIssuedTokens {
      return issue(newGrant(scopes, tenantIds));
    },
    refresh(token: string): RefreshOutcome {
      const record = refresh.get(token);
      const grant = record ? grants.get(record.grantId) : undefined;
      if (!record || !grant || grant.revoked || record.expiresAt <= now()) return { ok: false, error: "invalid_grant" };
      if (record.supersededAt !== undefined && now() - record.supersededAt > options.graceMs) return { ok: false, error: "invalid_grant" };
      // Rotation: every other refresh token of the grant is superseded now (the grace period starts).
      for (const other of refresh.values()) if (other.grantId === grant.id && other.supersededAt === undefined) other.supersededAt = now();
      return { ok: true, tokens: issue(grant) };
    },
    /** The grant of a live access token, or why not. */
    check(token: string): { grantId: string; scopes: string[]; connections: FakeConnection[] } | { error: "expired" | "invalid" } {
      const record = access.get(token);
      const grant = record ? grants.get(record.grantId) : undefined;
      if (!record || !grant || grant.revoked) return { error: "invalid" };
      if (record.expiresAt <= now()) return { error: "expired" };
      return { grantId: grant.id, scopes: grant.scopes, connections: [...grant.connections.values()] };
    },
    connections(grantId: string): FakeConnection[] {
      return [...(grants.get(grantId)?.connections.values() ?? [])];
    },
    disconnect(grantId: string, connectionId: string): boolean {
      return grants.get(grantId)?.connections.delete(connectionId) ?? false;
    },
    /** Revoking a refresh token ends the whole grant. */
    revoke(token: string): void {
      const record = refresh.get(token);
      const grant = record ? grants.get(record.grantId) : undefined;
      if (grant) {
        grant.revoked = true;
        grant.connections.clear();
      }
    },
    expireAccessTokens(): void {
      for (const record of access.values()) record.expiresAt = now();
    },
    expireRefreshTokens(): void {
      for (const record of refresh.values()) record.expiresAt = now();
    },
    revokeAll(): void {
      for (const grant of grants.values()) {
        grant.revoked = true;
        grant.connections.clear();
      }
    },
    /** Refresh tokens usable right now (live, or superseded within the grace period). */
    usableRefreshTokens(): string[] {
      return [...refresh.entries()]
        .filter(([, r]) => {
          const grant = grants.get(r.grantId);
          return grant && !grant.revoked && r.expiresAt > now() && (r.supersededAt === undefined || now() - r.supersededAt <= options.graceMs);
        })
        .map(([t]) => t);
    },
    clear(): void {
      grants.clear();
      codes.clear();
      access.clear();
      refresh.clear();
    },
  };
}

/** The fake identity state. @internal */
export type FakeOAuthState = ReturnType<typeof createFakeOAuthState>;
