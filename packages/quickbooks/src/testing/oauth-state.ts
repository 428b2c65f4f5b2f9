/**
 * The fake's Intuit OAuth server state (shared/vendors/quickbooks.md §1): authorization codes
 * (single use, bound to the redirect URI), access tokens (3600 s), refresh tokens (rolling
 * ~101 days, a new one on every refresh, the previous one honoured for 24 h), the 5-year hard
 * limit, and revocation of a whole grant.
 */
import { randomBytes } from "node:crypto";

/** Lifetimes, in seconds, as Intuit returns them. @public */
export const FAKE_TOKEN_LIFETIMES = {
  accessToken: 3600,
  refreshToken: 8_726_400,
  refreshTokenHard: 157_680_000,
  /** How long a superseded refresh token still works. */
  supersededGrace: 24 * 3600,
  authorizationCode: 300,
} as const;

interface Grant {
  realmId: string;
  scopes: string[];
  hardExpiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  grant: Grant;
  expiresAt: number;
  supersededAt: number | undefined;
  /** The pair issued when this token was used, so a replay within the grace returns the same. */
  successor: IssuedTokens | undefined;
}

/** What the token endpoint answers. @public */
export interface IssuedTokens {
  token_type: "bearer";
  access_token: string;
  expires_in: number;
  refresh_token: string;
  x_refresh_token_expires_in: number;
  x_refresh_token_hard_expires_in?: number;
  id_token?: string;
}

/** The outcome of a token request: tokens, or an OAuth error code. @internal */
export type TokenOutcome = { ok: true; tokens: IssuedTokens } | { ok: false; error: "invalid_grant" | "invalid_request" | "unsupported_grant_type" };

const token = (prefix: string, bytes = 24): string => `${prefix}${randomBytes(bytes).toString("base64url")}`;

/** @internal */
export function createOAuthState(options: { now: () => number; rotate: boolean }) {
  const codes = new Map<string, { realmId: string; redirectUri: string; scopes: string[]; expiresAt: number; used: boolean }>();
  const access = new Map<string, { grant: Grant; expiresAt: number }>();
  const refresh = new Map<string, RefreshRecord>();
  const nowSec = (): number => Math.floor(options.now() / 1000);

  function issue(grant: Grant, includeHard: boolean, reuseRefresh?: string): IssuedTokens {
    const accessToken = `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${token("", 32)}`;
    access.set(accessToken, { grant, expiresAt: nowSec() + FAKE_TOKEN_LIFETIMES.accessToken });
    const refreshToken = reuseRefresh ?? token("AB11", 30);
    if (!reuseRefresh) refresh.set(refreshToken, { grant, expiresAt: nowSec() + FAKE_TOKEN_LIFETIMES.refreshToken, supersededAt: undefined, successor: undefined });
    const remainingHard = Math.max(0, grant.hardExpiresAt - nowSec());
    return {
      token_type: "bearer",
      access_token: accessToken,
      expires_in: FAKE_TOKEN_LIFETIMES.accessToken,
      refresh_token: refreshToken,
      x_refresh_token_expires_in: Math.max(0, (refresh.get(refreshToken)?.expiresAt ?? 0) - nowSec()),
      ...(includeHard ? { x_refresh_token_hard_expires_in: remainingHard } : {}),
      ...(grant.scopes.includes("openid") ? { id_token: `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ iss: "https://oauth.platform.intuit.com/op/v1", realmid: grant.realmId })).toString("base64url")}.${token("", 16)}` } : {}),
    };
  }

  return {
    /** Issue a code as the consent screen would. */
    createCode(realmId: string, redirectUri: string, scopes: string[]): string {
      const code = token("AB11", 20);
      codes.set(code, { realmId, redirectUri, scopes, expiresAt: nowSec() + FAKE_TOKEN_LIFETIMES.authorizationCode, used: false });
      return code;
    },
    exchange(code: string, redirectUri: string, includeHard: boolean): TokenOutcome {
      const record = codes.get(code);
      if (!record || record.used || record.expiresAt <= nowSec() || record.redirectUri !== redirectUri) return { ok: false, error: "invalid_grant" };
      record.used = true;
      return { ok: true, tokens: issue({ realmId: record.realmId, scopes: record.scopes, hardExpiresAt: nowSec() + FAKE_TOKEN_LIFETIMES.refreshTokenHard, revoked: false }, includeHard) };
    },
    /** A grant created without the browser flow (for seeding tests). */
    grant(realmId: string, scopes: string[] = ["com.intuit.quickbooks.accounting"]): IssuedTokens {
      return issue({ realmId, scopes, hardExpiresAt: nowSec() + FAKE_TOKEN_LIFETIMES.refreshTokenHard, revoked: false }, true);
    },
    refresh(refreshToken: string, includeHard: boolean): TokenOutcome {
      const record = refresh.get(refreshToken);
      const t = nowSec();
      if (!record || record.grant.revoked || record.expiresAt <= t || record.grant.hardExpiresAt <= t) return { ok: false, error: "invalid_grant" };
      if (record.supersededAt !== undefined) {
        if (t - record.supersededAt > FAKE_TOKEN_LIFETIMES.supersededGrace) return { ok: false, error: "invalid_grant" };
        // Within the grace: answer with the pair already issued for it.
        if (record.successor) return { ok: true, tokens: { ...record.successor } };
      }
      const tokens = options.rotate ? issue(record.grant, includeHard) : issue(record.grant, includeHard, refreshToken);
      if (options.rotate) {
        record.supersededAt = t;
        record.successor = tokens;
      } else {
        record.expiresAt = t + FAKE_TOKEN_LIFETIMES.refreshToken;
      }
      return { ok: true, tokens };
    },
    /** Revoke the grant a token belongs to. False when the token is unknown. */
    revoke(anyToken: string): boolean {
      const grant = refresh.get(anyToken)?.grant ?? access.get(anyToken)?.grant;
      if (!grant) return false;
      grant.revoked = true;
      return true;
    },
    /** Revoke every grant of a realm (the user disconnected the app in QuickBooks). */
    revokeRealm(realmId: string): void {
      for (const record of [...refresh.values(), ...access.values()]) if (record.grant.realmId === realmId) record.grant.revoked = true;
    },
    /** The realm an access token is valid for, or why not. */
    check(accessToken: string): { realmId: string } | { error: "unknown" | "expired" | "revoked" } {
      const record = access.get(accessToken);
      if (!record) return { error: "unknown" };
      if (record.grant.revoked) return { error: "revoked" };
      if (record.expiresAt <= nowSec()) return { error: "expired" };
      return { realmId: record.grant.realmId };
    },
    /** Expire every access token now (the next API call gets a 401). */
    expireAccessTokens(): void {
      for (const record of access.values()) record.expiresAt = nowSec();
    },
    /** Expire every refresh token now. */
    expireRefreshTokens(): void {
      for (const record of refresh.values()) record.expiresAt = nowSec();
    },
    /** Live refresh tokens (not superseded, not revoked). */
    liveRefreshTokens(): string[] {
      return [...refresh.entries()].filter(([, r]) => !r.grant.revoked && r.supersededAt === undefined && r.expiresAt > nowSec()).map(([t]) => t);
    },
    clear(): void {
      codes.clear();
      access.clear();
      refresh.clear();
    },
  };
}

/** @internal */
export type OAuthState = ReturnType<typeof createOAuthState>;
