// Minimal ambient types for docusign-esign 10.0.0, which ships JavaScript only: just the parts
// test/interop/docusign.test.ts calls, shaped after the SDK's source (src/ApiClient.js,
// src/api/EnvelopesApi.js, src/api/TemplatesApi.js).
declare module "docusign-esign" {
  type Model = Record<string, unknown>;

  export class ApiClient {
    constructor(options?: { basePath?: string; oAuthBasePath?: string });
    setBasePath(basePath: string): void;
    setOAuthBasePath(oAuthBasePath: string): void;
    getOAuthBasePath(): string;
    addDefaultHeader(name: string, value: string): void;
    requestJWTUserToken(clientId: string, userId: string, scopes: string | string[], rsaPrivateKey: string | Buffer, expiresIn: number): Promise<{ body: { access_token: string; token_type: string; expires_in: number } }>;
    getUserInfo(accessToken: string): Promise<{ sub: string; email: string; accounts: Array<{ accountId: string; baseUri: string; isDefault: string; accountName: string }> }>;
  }

  export class EnvelopesApi {
    constructor(apiClient: ApiClient);
    createEnvelope(accountId: string, options: { envelopeDefinition: Model }): Promise<{ envelopeId: string; status: string; statusDateTime: string; uri: string }>;
    getEnvelope(accountId: string, envelopeId: string, options?: { include?: string }): Promise<Model & { envelopeId: string; status: string; emailSubject: string; voidedReason?: string }>;
    listStatusChanges(
      accountId: string,
      options: { fromDate?: string; count?: string; startPosition?: string; status?: string; transactionIds?: string },
    ): Promise<{ resultSetSize: string; totalSetSize: string; startPosition: string; endPosition: string; nextUri?: string; envelopes?: Array<{ envelopeId: string; status: string }> }>;
    createRecipientView(accountId: string, envelopeId: string, options: { recipientViewRequest: Model }): Promise<{ url: string }>;
    getDocument(accountId: string, envelopeId: string, documentId: string, options?: { certificate?: string }): Promise<Buffer>;
    listRecipients(accountId: string, envelopeId: string, options?: { includeTabs?: string }): Promise<{ recipientCount: string; signers: Array<Model & { name: string; email: string; status: string; routingOrder: string; roleName?: string; clientUserId?: string }> }>;
    update(accountId: string, envelopeId: string, options: { envelope: Model }): Promise<{ envelopeId: string }>;
  }

  export class TemplatesApi {
    constructor(apiClient: ApiClient);
    createTemplate(accountId: string, options: { envelopeTemplate: Model }): Promise<{ templateId: string; name: string; uri: string }>;
    get(accountId: string, templateId: string): Promise<Model & { templateId: string; name: string }>;
  }

  export const EnvelopeDefinition: { constructFromObject(data: Model): Model };
  export const RecipientViewRequest: { constructFromObject(data: Model): Model };
}
