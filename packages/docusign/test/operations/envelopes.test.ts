import { Readable } from "node:stream";
import { ConflictError, NotFoundError, UnknownOutcomeError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOAN_PDF, loanEnvelope, rejection, requestsTo, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

const created = (server: Harness["server"]) => requestsTo(server, "/envelopes", "POST").map((r) => JSON.parse(r.text) as Record<string, unknown>);

describe("envelopes.create", () => {
  it("sends the envelope definition with every scalar as a string, recipient ids by position, and the transactionId from the idempotency key", async () => {
    const result = await h.client.envelopes.create(
      loanEnvelope({
        emailBlurb: "Please review and sign.",
        customFields: { loanId: "L-1001" },
        recipients: {
          signers: [
            { name: "Ann Lee", email: "ann@example.com", routingOrder: 1, tabs: { signHereTabs: [{ anchorString: "/sn1/", anchorYOffset: -10 }], dateSignedTabs: [{ documentId: "1", pageNumber: 1, xPosition: 300, yPosition: 700 }] } },
            { name: "Gus Grant", email: "gus@example.com", routingOrder: 2 },
          ],
          carbonCopies: [{ name: "Closing desk", email: "closing@acme-lending.test", routingOrder: 3 }],
        },
      }),
      { idempotencyKey: "loan-L-1001-closing-v1" },
    );
    const envelope = h.fake.envelopes[0]!;
    expect(result).toEqual({ envelopeId: envelope.envelopeId, uri: `/envelopes/${envelope.envelopeId}`, statusDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*\.\d{7}Z$/), status: "sent", transactionId: "loan-L-1001-closing-v1" });
    expect(created(h.server)).toEqual([
      {
        emailSubject: "Loan L-1001: please sign",
        emailBlurb: "Please review and sign.",
        status: "sent",
        transactionId: "loan-L-1001-closing-v1",
        documents: [{ documentId: "1", name: "Loan agreement.pdf", fileExtension: "pdf", documentBase64: LOAN_PDF.toString("base64") }],
        recipients: {
          signers: [
            {
              recipientId: "1",
              routingOrder: "1",
              name: "Ann Lee",
              email: "ann@example.com",
              tabs: {
                signHereTabs: [{ anchorString: "/sn1/", anchorUnits: "pixels", anchorXOffset: "0", anchorYOffset: "-10" }],
                dateSignedTabs: [{ documentId: "1", pageNumber: "1", xPosition: "300", yPosition: "700" }],
              },
            },
            { recipientId: "2", routingOrder: "2", name: "Gus Grant", email: "gus@example.com" },
          ],
          carbonCopies: [{ recipientId: "3", routingOrder: "3", name: "Closing desk", email: "closing@acme-lending.test" }],
        },
        customFields: { textCustomFields: [{ name: "loanId", value: "L-1001", show: "false", required: "false" }] },
      },
    ]);
    expect(envelope.status).toBe("sent");
    expect(envelope.transactionId).toBe("loan-L-1001-closing-v1");
    expect(envelope.recipients.map((r) => [r.email, r.status])).toEqual([
      ["ann@example.com", "sent"],
      ["gus@example.com", "created"],
      ["closing@acme-lending.test", "created"],
    ]);
  });

  it("without an idempotency key, derives one: the same input gets the same transactionId, another input another", async () => {
    const a = await h.client.envelopes.create(loanEnvelope());
    const b = await h.client.envelopes.create(loanEnvelope());
    const c = await h.client.envelopes.create(loanEnvelope({ emailSubject: "Other" }));
    expect(a.transactionId).toMatch(/^ck_[0-9a-f]{64}$/);
    expect(b.transactionId).toBe(a.transactionId);
    expect(c.transactionId).not.toBe(a.transactionId);
  });

  it("a key longer than 100 characters becomes its hash; an explicit transactionId wins", async () => {
    const long = await h.client.envelopes.create(loanEnvelope(), { idempotencyKey: "x".repeat(150) });
    const explicit = await h.client.envelopes.create(loanEnvelope({ transactionId: "tx-explicit" }), { idempotencyKey: "ignored" });
    expect(long.transactionId).toMatch(/^ck_[0-9a-f]{64}$/);
    expect(explicit.transactionId).toBe("tx-explicit");
  });

  it("reads a streamed document once and sends it base64; the key covers its bytes", async () => {
    const stream = () => Readable.from([LOAN_PDF.subarray(0, 100), LOAN_PDF.subarray(100)]);
    const a = await h.client.envelopes.create(loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: stream() }] }));
    const b = await h.client.envelopes.create(loanEnvelope({ documents: [{ documentId: "1", name: "Loan agreement.pdf", content: stream() }] }));
    expect(created(h.server)[0]!.documents).toEqual([{ documentId: "1", name: "Loan agreement.pdf", fileExtension: "pdf", documentBase64: LOAN_PDF.toString("base64") }]);
    expect(h.fake.envelopes[0]!.documents[0]!.bytes).toEqual(LOAN_PDF);
    expect(b.transactionId).toBe(a.transactionId);
  });

  it("accepts documentBase64 and infers fileExtension from the name", async () => {
    await h.client.envelopes.create(loanEnvelope({ documents: [{ documentId: 7, name: "Terms.docx", documentBase64: Buffer.from("docx bytes").toString("base64") }] }));
    expect(created(h.server)[0]!.documents).toEqual([{ documentId: "7", name: "Terms.docx", fileExtension: "docx", documentBase64: Buffer.from("docx bytes").toString("base64") }]);
  });

  it("status created keeps a draft: no recipient is invited", async () => {
    const result = await h.client.envelopes.create(loanEnvelope({ status: "created" }));
    expect(result.status).toBe("created");
    expect(h.fake.envelopes[0]!.recipients.every((r) => r.status === "created")).toBe(true);
  });

  it("eventNotification json: SIM with eventData; xml: legacy envelopeEvents/recipientEvents", async () => {
    await h.client.envelopes.create(loanEnvelope({ eventNotification: { url: "https://hooks.acme.test/docusign" } }));
    await h.client.envelopes.create(loanEnvelope({ eventNotification: { url: "https://hooks.acme.test/docusign", format: "xml", events: ["envelope-completed", "envelope-declined", "recipient-completed"], includeDocuments: true } }));
    const [json, xml] = created(h.server);
    expect(json!.eventNotification).toEqual({
      url: "https://hooks.acme.test/docusign",
      requireAcknowledgment: "true",
      loggingEnabled: "true",
      includeHMAC: "true",
      includeDocuments: "false",
      deliveryMode: "SIM",
      events: ["envelope-sent", "envelope-delivered", "envelope-completed", "envelope-declined", "envelope-voided", "recipient-completed", "recipient-declined"],
      eventData: { version: "restv2.1", format: "json", includeData: ["recipients", "custom_fields"] },
    });
    expect(xml!.eventNotification).toEqual({
      url: "https://hooks.acme.test/docusign",
      requireAcknowledgment: "true",
      loggingEnabled: "true",
      includeHMAC: "true",
      includeDocuments: "true",
      envelopeEvents: [{ envelopeEventStatusCode: "Completed" }, { envelopeEventStatusCode: "Declined" }],
      recipientEvents: [{ recipientEventStatusCode: "Completed" }],
    });
    expect(h.fake.envelopes[1]!.eventNotification).toEqual(xml!.eventNotification);
  });

  it("refuses bad input before any request, listing every bad field", async () => {
    const error = (await rejection(
      h.client.envelopes.create({
        emailSubject: "",
        documents: [
          { documentId: "1", name: "a.pdf" },
          { documentId: "1", name: "noextension", content: LOAN_PDF },
        ],
        recipients: {
          signers: [
            { name: "Ann", email: "not-an-email", routingOrder: 0 },
            { recipientId: "1", name: "Bo", email: "bo@example.com", tabs: { signHereTabs: [{ documentId: "9", pageNumber: 1, xPosition: 1, yPosition: 1 }] } },
          ],
        },
        eventNotification: { url: "http://insecure.example.com/hook" },
      }),
    )) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.operation).toBe("envelopes.create");
    expect(error.issues.map((i) => i.path).sort()).toEqual(
      [
        "documents.0.content",
        "documents.1.documentId",
        "documents.1.fileExtension",
        "emailSubject",
        "eventNotification.url",
        "recipients.signers.0.email",
        "recipients.signers.0.routingOrder",
        "recipients.signers.1.recipientId",
        "recipients.signers.1.tabs.signHereTabs.0.documentId",
      ].sort(),
    );
    expect(h.server.requests).toHaveLength(0);
  });

  it("refuses duplicate ids, a tab on a missing document and a name without extension (cross-field rules)", async () => {
    const error = (await rejection(
      h.client.envelopes.create({
        emailSubject: "x",
        documents: [
          { documentId: "1", name: "a.pdf", content: LOAN_PDF },
          { documentId: "1", name: "noextension", content: LOAN_PDF },
        ],
        recipients: { signers: [{ name: "Ann", email: "ann@example.com" }, { recipientId: "1", name: "Bo", email: "bo@example.com", tabs: { signHereTabs: [{ documentId: "9", pageNumber: 1, xPosition: 1, yPosition: 1 }] } }] },
      }),
    )) as ValidationError;
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "documents.1.documentId: duplicate documentId 1",
      "documents.1.fileExtension: the name has no extension: set fileExtension (pdf, docx …)",
      "recipients.signers.1.recipientId: duplicate recipientId 1",
      "recipients.signers.1.tabs.signHereTabs.0.documentId: no document with documentId 9",
    ]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a document above maxDocumentBytes is refused before any request", async () => {
    const client = h.newClient({ maxDocumentBytes: 1000 });
    const error = (await rejection(client.envelopes.create(loanEnvelope({ documents: [{ documentId: "1", name: "big.pdf", content: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]) }] })))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path: "documents.content", message: "larger than 1000 bytes" }]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("maps INVALID_EMAIL_ADDRESS_FOR_RECIPIENT (HTTP 400) to ValidationError naming the recipient", async () => {
    h.fake.failNext({ status: 400, errorCode: "INVALID_EMAIL_ADDRESS_FOR_RECIPIENT", message: "The email address for the recipient is invalid. Recipient Id: 2", path: "/envelopes", method: "POST" });
    const error = (await rejection(h.client.envelopes.create(loanEnvelope()))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(400);
    expect(error.vendorCode).toBe("INVALID_EMAIL_ADDRESS_FOR_RECIPIENT");
    expect(error.issues).toEqual([{ path: "recipients.2.email", message: "The email address for the recipient is invalid. Recipient Id: 2", code: "INVALID_EMAIL_ADDRESS_FOR_RECIPIENT" }]);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.attempts).toBe(1);
    expect(h.fake.envelopes).toHaveLength(0);
  });

  it("a 503 after the envelope was created: the retry finds it by transactionId — one envelope, recovered: true", async () => {
    h.fake.failNext({ status: 503, path: "/envelopes", method: "POST", apply: true });
    const result = await h.client.envelopes.create(loanEnvelope(), { idempotencyKey: "loan-L-1001-v1" });
    expect(h.fake.envelopes).toHaveLength(1);
    expect(result).toEqual({ envelopeId: h.fake.envelopes[0]!.envelopeId, uri: `/envelopes/${h.fake.envelopes[0]!.envelopeId}`, statusDateTime: expect.any(String), status: "sent", transactionId: "loan-L-1001-v1", recovered: true });
    const lookups = requestsTo(h.server, "/envelopes", "GET");
    expect(lookups.map((r) => r.url.split("?")[1])).toEqual(["transaction_ids=loan-L-1001-v1"]);
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(1);
  });

  it("a timeout after the envelope was created is recovered the same way", async () => {
    const client = h.newClient({ policy: { retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5, jitter: false }, limiter: false, breaker: false, timeout: { attemptMs: 150 } } });
    await client.envelopes.listStatusChanges({ fromDate: "2026-01-01T00:00:00Z" }); // warm the token so the timeout hits the create
    h.fake.failNext({ status: 200, path: "/envelopes", method: "POST", apply: true, delayMs: 400 });
    const result = await client.envelopes.create(loanEnvelope(), { idempotencyKey: "loan-L-1002-v1" });
    expect(result.recovered).toBe(true);
    expect(h.fake.envelopes).toHaveLength(1);
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(1);
  });

  it("a 503 before anything was created: the lookup finds nothing and the retry creates exactly one", async () => {
    h.fake.failNext({ status: 503, path: "/envelopes", method: "POST" });
    const result = await h.client.envelopes.create(loanEnvelope(), { idempotencyKey: "loan-L-1003-v1" });
    expect(result.recovered).toBeUndefined();
    expect(h.fake.envelopes).toHaveLength(1);
    expect(requestsTo(h.server, "/envelopes", "POST")).toHaveLength(2);
    expect(requestsTo(h.server, "/envelopes", "GET")).toHaveLength(1);
  });

  it("never ends in UnknownOutcomeError: when every attempt fails, the last error is a ServerError and one envelope at most exists", async () => {
    h.fake.failNext({ status: 503, path: "/envelopes", method: "POST", times: 5 });
    const error = await rejection(h.client.envelopes.create(loanEnvelope()));
    expect(error).not.toBeInstanceOf(UnknownOutcomeError);
    expect((error as { name: string }).name).toBe("ServerError");
    expect(h.fake.envelopes).toHaveLength(0);
  });
});

describe("envelopes.get", () => {
  it("returns the typed envelope: statuses lower case, routing orders and counts as numbers", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope({ customFields: { loanId: "L-1001" } }));
    const envelope = await h.client.envelopes.get({ envelopeId, include: ["recipients", "custom_fields"] });
    expect(envelope.envelopeId).toBe(envelopeId);
    expect(envelope.status).toBe("sent");
    expect(envelope.recipients?.signers.map((s) => [s.email, s.routingOrder, s.status])).toEqual([
      ["ann@example.com", 1, "sent"],
      ["gus@example.com", 2, "created"],
    ]);
    expect(envelope.recipients?.recipientCount).toBe(2);
    expect(envelope.recipients?.currentRoutingOrder).toBe(1);
    expect(envelope.customFields?.textCustomFields).toEqual([{ fieldId: "10000", name: "loanId", value: "L-1001", show: false }]);
    expect(requestsTo(h.server, `/envelopes/${envelopeId}`)[0]!.url).toBe(`/restapi/v2.1/accounts/${h.fake.accountId}/envelopes/${envelopeId}?include=recipients%2Ccustom_fields`);
  });

  it("ENVELOPE_DOES_NOT_EXIST arrives as HTTP 400 and is a NotFoundError (not retried)", async () => {
    const error = (await rejection(h.client.envelopes.get({ envelopeId: "5a1b2c3d-0000-4000-8000-00000000dead" }))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(400);
    expect(error.vendorCode).toBe("ENVELOPE_DOES_NOT_EXIST");
    expect(error.attempts).toBe(1);
    expect(h.server.requests.filter((r) => r.url.includes("/restapi/"))).toHaveLength(1);
  });

  it("the same code with HTTP 404 is a NotFoundError too", async () => {
    await h.close();
    h = await setup({ fake: { notFoundStatus: 404 } });
    const error = (await rejection(h.client.envelopes.get({ envelopeId: "5a1b2c3d-0000-4000-8000-00000000dead" }))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
  });
});

describe("envelopes.void", () => {
  it("voids a sent envelope with the reason", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope());
    const result = await h.client.envelopes.void({ envelopeId, reason: "Loan terms changed" });
    expect(result).toEqual({ envelopeId, status: "voided", alreadyApplied: false });
    expect(JSON.parse(requestsTo(h.server, `/envelopes/${envelopeId}`, "PUT")[0]!.text)).toEqual({ status: "voided", voidedReason: "Loan terms changed" });
    expect(h.fake.envelope(envelopeId)).toMatchObject({ status: "voided", voidedReason: "Loan terms changed" });
  });

  it("requires a reason, before any request", async () => {
    const error = (await rejection(h.client.envelopes.void({ envelopeId: "5a1b2c3d-0000-4000-8000-000000000001", reason: "  " }))) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ path: "reason", message: "a void reason is required", code: "too_small" }]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("a repeat converges: DocuSign refuses (ENVELOPE_CANNOT_VOID_INVALID_STATE), the envelope is voided, alreadyApplied: true", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope());
    await h.client.envelopes.void({ envelopeId, reason: "first" });
    const again = await h.client.envelopes.void({ envelopeId, reason: "second" });
    expect(again).toEqual({ envelopeId, status: "voided", alreadyApplied: true });
    expect(h.fake.envelope(envelopeId)!.voidedReason).toBe("first");
  });

  it("voiding a completed envelope is a ConflictError that says why", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope());
    await h.fake.completeAll(envelopeId);
    const error = (await rejection(h.client.envelopes.void({ envelopeId, reason: "too late" }))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.vendorCode).toBe("ENVELOPE_CANNOT_VOID_INVALID_STATE");
    expect(error.status).toBe(400);
    expect(error.message).toContain(`cannot void envelope ${envelopeId}: it is completed; only sent or delivered envelopes can be voided`);
  });

  it("voiding a draft is a ConflictError suggesting to delete it", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope({ status: "created" }));
    const error = (await rejection(h.client.envelopes.void({ envelopeId, reason: "x" }))) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain("a draft cannot be voided — delete it instead");
  });
});

describe("envelopes.send", () => {
  it("sends a draft; a repeat converges", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope({ status: "created" }));
    expect(await h.client.envelopes.send({ envelopeId })).toEqual({ envelopeId, status: "sent", alreadyApplied: false });
    expect(h.fake.envelope(envelopeId)!.recipients[0]!.status).toBe("sent");
    expect(await h.client.envelopes.send({ envelopeId })).toEqual({ envelopeId, status: "sent", alreadyApplied: true });
  });
});

describe("envelopes.findByTransactionId", () => {
  it("finds the envelope created with a transactionId, or undefined", async () => {
    const { envelopeId } = await h.client.envelopes.create(loanEnvelope(), { idempotencyKey: "loan-L-9-v1" });
    expect((await h.client.envelopes.findByTransactionId({ transactionId: "loan-L-9-v1" }))?.envelopeId).toBe(envelopeId);
    expect(await h.client.envelopes.findByTransactionId({ transactionId: "loan-L-9-v2" })).toBeUndefined();
  });
});

describe("envelopes.listStatusChanges / statusChanges", () => {
  it("sends from_date with from_to_status=changed and converts the counts to numbers", async () => {
    await h.client.envelopes.create(loanEnvelope());
    const page = await h.client.envelopes.listStatusChanges({ fromDate: new Date("2020-01-01T00:00:00Z"), status: ["sent", "delivered"], count: 10 });
    expect(page).toMatchObject({ resultSetSize: 1, totalSetSize: 1, startPosition: 0, endPosition: 0 });
    expect(page.envelopes[0]!.status).toBe("sent");
    const query = new URLSearchParams(requestsTo(h.server, "/envelopes", "GET")[0]!.url.split("?")[1]);
    expect(Object.fromEntries(query)).toEqual({ from_date: "2020-01-01T00:00:00.000Z", from_to_status: "changed", status: "sent,delivered", count: "10", start_position: "0" });
  });

  it("pages with start_position until endPosition + 1 reaches totalSetSize", async () => {
    for (let i = 0; i < 5; i++) await h.client.envelopes.create(loanEnvelope({ emailSubject: `Loan ${i}` }));
    const subjects: string[] = [];
    for await (const envelope of h.client.envelopes.statusChanges({ fromDate: "2020-01-01T00:00:00Z", count: 2 })) subjects.push(envelope.emailSubject!);
    expect(subjects).toEqual(["Loan 0", "Loan 1", "Loan 2", "Loan 3", "Loan 4"]);
    const starts = requestsTo(h.server, "/envelopes", "GET").map((r) => new URLSearchParams(r.url.split("?")[1]).get("start_position"));
    expect(starts).toEqual(["0", "2", "4"]);
  });

  it("needs fromDate, envelopeIds or transactionIds — refused before any request", async () => {
    const error = (await rejection(h.client.envelopes.listStatusChanges({ status: ["completed"] }))) as ValidationError;
    expect(error.issues).toEqual([{ path: "fromDate", message: "one of fromDate, envelopeIds or transactionIds is required", code: "custom" }]);
    expect(h.server.requests).toHaveLength(0);
  });

  it("the fake refuses a listing without them as DocuSign does (INVALID_REQUEST_PARAMETER, HTTP 400)", async () => {
    await h.client.envelopes.listStatusChanges({ envelopeIds: ["5a1b2c3d-0000-4000-8000-000000000001"] });
    const token = requestsTo(h.server, "/envelopes")[0]!.headers.authorization!;
    const refused = await fetch(`${h.server.url}/restapi/v2.1/accounts/${h.fake.accountId}/envelopes`, { headers: { authorization: token } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ errorCode: "INVALID_REQUEST_PARAMETER", message: "The request contained at least one invalid parameter. 'from_date' must be set when 'envelope_ids' or 'transaction_ids' are not provided." });
  });
});
