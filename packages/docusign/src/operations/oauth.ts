/**
 * The OAuth host's calls (shared/vendors/docusign.md §1): the JWT-grant token request and
 * userinfo, which names the user's accounts and the REST base URI of each. Both are safe
 * to retry. They run on the client's second runtime, whose base URL is the OAuth host.
 */
import { defineOperation, lazySchema } from "@connect/core";
import { z } from "zod";
import { NumberString, UserInfo } from "../schemas.js";

/** The token endpoint's answer. @internal */
export const TokenResponse = lazySchema(() =>
  z.object({
  access_token: z.string().min(1),
  token_type: z.string().default("Bearer"),
  expires_in: NumberString.default(3600),
  scope: z.string().optional(),
}),
);

/**
 * `oauth.token`: exchange a signed JWT assertion for an access token (form POST; no
 * refresh token is issued — the assertion is signed again before the hour is up).
 * @public
 */
export const requestToken = defineOperation({
  id: "oauth.token",
  input: z.strictObject({ assertion: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, { message: "not a compact JWT" }) }),
  output: TokenResponse,
  idempotent: true,
  request: ({ assertion }) => ({
    method: "POST",
    path: "/oauth/token",
    body: { form: { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion } },
  }),
});

/** `oauth.userinfo`: the authenticated user, their accounts and each account's `base_uri`. @public */
export const getUserInfo = defineOperation({
  id: "oauth.userinfo",
  input: z.strictObject({}),
  output: UserInfo,
  idempotent: true,
  request: () => ({ method: "GET", path: "/oauth/userinfo" }),
});
