/**
 * The JWT grant's token manager: core's `createTokenManager` (cache until `refreshSkewMs`
 * before expiry, one shared mint, forced refresh after a 401) around a mint that signs a
 * fresh assertion, optionally shared between workers through core's `TokenStore`.
 */
import type { KeyObject } from "node:crypto";
import { createTokenManager, type TokenManager, type TokenStore } from "@connect/core";
import { createJwtAssertion, toPrivateKey, type JwtAuthOptions } from "./auth.js";

/** What the token manager needs. @internal */
export interface JwtTokenOptions {
  jwt: JwtAuthOptions;
  oauthHost: string;
  now: () => number;
  refreshSkewMs: number;
  tokenStore?: TokenStore | undefined;
  /** Exchange an assertion at the token endpoint. */
  exchange: (assertion: string, signal?: AbortSignal) => Promise<{ access_token: string; expires_in: number }>;
}

/** The key a token is stored under: one per OAuth host, integration key, user and scopes. @internal */
export function tokenStoreKey(jwt: JwtAuthOptions, oauthHost: string): string {
  return `docusign:${oauthHost}:${jwt.integrationKey}:${jwt.userId}:${(jwt.scopes ?? []).join(" ")}`;
}

/** Create the token manager of one client. @internal */
export function createJwtTokenManager(options: JwtTokenOptions): TokenManager {
  const { jwt, now } = options;
  // A fixed key is parsed now (a bad key fails at construction); a function is read at each mint (rotation).
  const fixedKey: KeyObject | undefined = typeof jwt.privateKey === "function" ? undefined : toPrivateKey(jwt.privateKey);
  const loadKey = async (): Promise<KeyObject> => fixedKey ?? toPrivateKey(await (jwt.privateKey as () => string | Promise<string>)());

  const mint = async (signal?: AbortSignal): Promise<{ accessToken: string; expiresAt: number }> => {
    const assertion = createJwtAssertion({
      integrationKey: jwt.integrationKey,
      userId: jwt.userId,
      oauthHost: options.oauthHost,
      privateKey: await loadKey(),
      scopes: jwt.scopes,
      nowMs: now(),
      lifetimeSec: jwt.assertionLifetimeSec,
    });
    const token = await options.exchange(assertion, signal);
    return { accessToken: token.access_token, expiresAt: now() + token.expires_in * 1000 };
  };

  const store = options.tokenStore;
  if (!store) return createTokenManager({ refreshSkewMs: options.refreshSkewMs, now, fetchToken: mint });

  const key = tokenStoreKey(jwt, options.oauthHost);
  let lastFromStore: string | undefined;
  return createTokenManager({
    refreshSkewMs: options.refreshSkewMs,
    now,
    fetchToken: (signal) =>
      store.withLock(
        key,
        async () => {
          // Another worker may have minted while we waited; reuse it unless it is the token just refused.
          const stored = await store.get(key);
          if (stored && stored.accessToken !== lastFromStore && stored.expiresAt - options.refreshSkewMs > now()) {
            lastFromStore = stored.accessToken;
            return { accessToken: stored.accessToken, expiresAt: stored.expiresAt };
          }
          const minted = await mint(signal);
          await store.set(key, { accessToken: minted.accessToken, expiresAt: minted.expiresAt, extra: { tokenType: "Bearer" } });
          lastFromStore = minted.accessToken;
          return minted;
        },
        { signal },
      ),
  });
}
