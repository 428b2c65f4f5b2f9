/**
 * @connect/docusign/testing — a stateful DocuSign fake (msw handlers: OAuth host, REST API with
 * templates and embedded signing URLs),
 * Connect message builders and an HMAC signer, and small real PDFs — for contract tests, the
 * e-signature conformance suite, and hosts testing their own Connect listeners.
 */
export { createDocuSignFake, DOCUSIGN_FAKE_NAME, type DocuSignFake, type DocuSignFakeOptions, type FakeClientOptions, type FakeFailure } from "./fake.js";
export { type FakeConnectConfig, type FakeConnectDelivery } from "./delivery.js";
export { jsonConnectMessage, signConnectMessage, xmlConnectMessage } from "./connect.js";
export { docuSignTime, type FakeChange, type FakeDocument, type FakeEnvelope, type FakeRecipient } from "./state.js";
export { createMultiPageTestPdf, createTestPdf, generatedPdfBytes } from "./pdf.js";
export { type FakeTemplate, type FakeTemplateSeed } from "./templates.js";
export { type FakeSigningSession } from "./views.js";
