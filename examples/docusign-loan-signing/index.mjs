// Loan signing: send the loan documents to a borrower and a guarantor (borrower first) with
// @connect/docusign, let the DocuSign fake's signers complete, receive the signed Connect
// callback on a local listener (HMAC verified over the raw bytes), and save the signed PDF.
// Runs offline against the embedded fake: `npm run build && node examples/docusign-loan-signing/index.mjs`.
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { serveHandlers } from "@connect/core/testing";
import { createDocuSignClient, createDocuSignWebhookHandler } from "@connect/docusign";
import { createDocuSignFake, createTestPdf } from "@connect/docusign/testing";

/** Run the whole flow; returns what happened so a test can assert it. */
export async function runLoanSigning({ log = console.log, outDir } = {}) {
  const dir = outDir ?? (await mkdtemp(join(tmpdir(), "docusign-loan-")));

  // 1. The vendor: the DocuSign fake (OAuth host + REST API) on 127.0.0.1.
  const fake = createDocuSignFake();
  const api = await serveHandlers(fake.handlers);
  // JWT grant with the app's RSA key; no basePath, so the REST base is discovered through userinfo.
  // Against DocuSign: drop oauthBaseUrl, set environment: "production", and read the key from your secret store.
  const { auth, oauthBaseUrl } = fake.clientOptions(api.url);
  const docusign = createDocuSignClient({ auth, oauthBaseUrl });

  // 2. Our Connect listener: verifies X-DocuSign-Signature-N, parses JSON or XML, dedupes, dispatches.
  const events = [];
  const saved = [];
  const connect = createDocuSignWebhookHandler({
    secrets: fake.hmacKeys,
    onSignatureEvent: (event) => {
      events.push({ type: event.type, recipient: event.recipient?.email, loanId: event.externalRef });
    },
    handlers: {
      "envelope-completed": async (event) => {
        // In production, queue this and answer fast: DocuSign waits at most 100 s for the 200.
        const pdf = await docusign.documents.download({ envelopeId: event.envelopeId, documentId: "combined" });
        const path = join(dir, `loan-${event.customFields.loanId}-signed.pdf`);
        await pipeline(pdf.body, createWriteStream(path));
        saved.push(path);
      },
    },
  });
  const listener = createServer((req, res) => void connect.node(req, res));
  await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
  const listenerUrl = `http://127.0.0.1:${listener.address().port}/webhooks/docusign`;
  // The account-level Connect configuration points at our listener (JSON SIM, HMAC on).
  fake.connect.configure({ url: listenerUrl, format: "json" });

  try {
    const account = await docusign.account();
    log(`account ${account.accountId} at ${account.basePath}`);

    // 3. Create the loan-signing envelope: borrower at routing order 1, guarantor at 2.
    const loanId = "L-1001";
    const document = (title) => ({ content: createTestPdf([`${title} — loan ${loanId}`, "Borrower: /sn1/  Date: /ds1/", "Guarantor: /sn2/  Date: /ds2/"]) });
    const envelope = await docusign.envelopes.createLoanSigning(
      {
        loanId,
        borrower: { name: "Ana Borrower", email: "ana.borrower@example.com" },
        guarantors: [{ name: "Gil Guarantor", email: "gil.guarantor@example.com" }],
        documents: {
          loanAgreement: document("Loan agreement"),
          promissoryNote: document("Promissory note"),
          securityAgreement: document("Security agreement"),
          personalGuarantee: document("Personal guarantee"),
        },
      },
      { idempotencyKey: `loan-${loanId}-closing-v1` },
    );
    log(`created envelope ${envelope.envelopeId} (${envelope.status}), transactionId ${envelope.transactionId}`);

    // 4. The signers sign in routing order; DocuSign posts signed Connect messages as they do.
    await fake.completeAll(envelope.envelopeId);
    await fake.connect.settled();
    for (const e of events) log(`connect: ${e.type}${e.recipient ? ` by ${e.recipient}` : ""} (loan ${e.loanId})`);

    // 5. A forged callback (wrong HMAC key) is refused before any handler runs.
    const forged = await fake.connect.post(listenerUrl, fake.connect.message(envelope.envelopeId, "envelope-completed"), { keys: ["not-the-account-key"] });
    log(`forged callback answered ${forged.status}`);

    const bytes = saved[0] ? await readFile(saved[0]) : Buffer.alloc(0);
    log(`saved signed PDF: ${saved[0]} (${bytes.length} bytes)`);
    const status = await docusign.envelopes.get({ envelopeId: envelope.envelopeId });
    return {
      envelopeId: envelope.envelopeId,
      transactionId: envelope.transactionId,
      finalStatus: status.status,
      events,
      deliveries: fake.connect.deliveries.map((d) => ({ event: d.event, status: d.status })),
      forgedStatus: forged.status,
      savedPath: saved[0],
      savedBytes: bytes.length,
      savedStartsWithPdf: bytes.subarray(0, 5).toString("latin1") === "%PDF-",
    };
  } finally {
    await new Promise((resolve) => listener.close(resolve));
    await docusign.close();
    await api.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runLoanSigning();
}
