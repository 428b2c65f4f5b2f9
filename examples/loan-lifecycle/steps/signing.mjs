// Step 3 — the loan documents go out for signature through core's provider-neutral
// `ESignatureProvider` (DocuSign by default, Authentisign with --esign=authentisign). A health
// gate probes the chosen provider first; the send goes through core's `fallback()`, which moves
// to the other provider only when the first one's breaker is open (CircuitOpenError: provably
// nothing was sent). The vendor's fake then has every signer sign; the signed, verified
// completion callback makes the platform save the signed PDF (platform.onSignatureEvent).
import { relative } from "node:path";
import { checkHealth, CircuitOpenError, fallback } from "@connect/core";
import { createTestPdf } from "@connect/docusign/testing";
import { dollars } from "../platform.mjs";

export const PROVIDERS = ["docusign", "authentisign"];

/** The closing package of a loan, provider-neutral (core's SignatureRequest). */
export function closingPackage(loan) {
  const doc = (id, title) => ({
    id,
    name: `${title}.pdf`,
    content: createTestPdf([`${title} - loan ${loan.number}`, `Property: ${loan.property}`, `Amount: ${dollars(loan.amountCents)}`, "Borrower: /sn1/", "Guarantor: /sn2/"]),
  });
  return {
    subject: `Loan ${loan.number}: closing documents for ${loan.address}`,
    message: `Please review and sign the closing documents for loan ${loan.number}.`,
    documents: [doc("1", "Loan agreement"), doc("2", "Promissory note"), doc("3", "Personal guarantee")],
    recipients: [
      { name: loan.borrower.name, email: loan.borrower.email, order: 1, placements: [{ anchor: "/sn1/" }] },
      { name: loan.borrower.guarantor.name, email: loan.borrower.guarantor.email, order: 2, placements: [{ anchor: "/sn2/" }] },
      { name: "Lou Officer", email: "lou.officer@acme-lending.test", order: 3, role: "cc" },
    ],
    externalRef: loan.number,
  };
}

/** Probe the provider until it is healthy or its breaker has opened (at most three probes). */
async function healthGate(client) {
  const probes = [];
  for (let probe = 1; probe <= 3; probe += 1) {
    const health = (await checkHealth([client])).adapters[client.id];
    probes.push(health);
    if (health.status !== "unhealthy" || health.breaker === "open") break;
  }
  return probes;
}

/** The vendor's fake plays the signers: each one signs, in routing order. */
async function signersSign(name, fixture, id) {
  if (name === "docusign") {
    await fixture.fake.completeAll(id);
    await fixture.fake.connect.settled();
  } else {
    await fixture.fake.completeAll(id);
  }
}

/** The provider delivers its completion callback a second time (at-least-once delivery). */
async function redeliverCompletion(name, fixture, id, hooksUrl) {
  if (name === "docusign") {
    const delivery = fixture.fake.connect.deliveries.findLast((d) => d.envelopeId === id && d.event === "envelope-completed");
    const response = await fixture.fake.connect.post(delivery.url, { body: delivery.body, headers: delivery.headers });
    return response.status;
  }
  const delivery = fixture.fake.deliveries.findLast((d) => d.type === "signing.completed" && d.url.startsWith(hooksUrl));
  return (await fixture.fake.redeliver(delivery)).status;
}

/** Send the closing package, have it signed, wait until the signed PDF is saved. */
export async function signDocuments(app, loan) {
  const { esign } = app.vendors;
  const ctx = app.context("signing");
  const primary = app.esignProvider;
  const secondary = PROVIDERS.find((name) => name !== primary);
  app.chaos?.signing(esign, { primary, secondary });

  const probes = await healthGate(esign[primary].client);
  const pkg = closingPackage(loan);
  const { value: receipt, servedBy, failures } = await fallback(
    [primary, secondary].map((name) => ({
      name,
      run: () => esign[name].provider.sendForSignature(pkg, { ...ctx, idempotencyKey: `${loan.number}-closing:${name}` }),
    })),
    { shouldFallback: (error) => error instanceof CircuitOpenError },
  );
  loan.signature = { provider: servedBy, id: receipt.id, status: receipt.status, savedTo: undefined, bytes: 0, saves: 0 };
  const fixture = esign[servedBy];

  await signersSign(servedBy, fixture, receipt.id);
  const saved = await app.platform.signedDocuments.waitFor(receipt.id);
  let duplicateStatus;
  if (app.chaos) duplicateStatus = await redeliverCompletion(servedBy, fixture, receipt.id, app.hooksUrl);
  const status = await fixture.provider.getStatus(receipt.id, ctx);
  loan.signature.status = status.status;

  const signers = status.recipients.filter((r) => r.role === "signer");
  const fellBack = failures.map((f) => ({ provider: f.provider, error: f.error?.name }));
  const gate = probes.map((p) => `${p.status}${p.breaker ? `/${p.breaker}` : ""}`).join(" → ");
  return {
    line: `${fellBack.length > 0 ? `${primary} down (health ${gate}) → fallback to ${servedBy}; ` : ""}${servedBy} ${receipt.id.slice(0, 8)}… ${status.status} by ${signers.filter((r) => r.status === "signed").length}/${signers.length} signers, callbacks verified; signed PDF saved to ${relative(process.cwd(), saved.savedTo) || saved.savedTo} (${saved.bytes.toLocaleString("en-US")} bytes)`,
    result: {
      requested: primary,
      servedBy,
      fellBackFrom: fellBack,
      healthProbes: probes.map((p) => ({ status: p.status, breaker: p.breaker })),
      id: receipt.id,
      status: status.status,
      signers: signers.map((r) => ({ email: r.email, status: r.status })),
      savedTo: saved.savedTo,
      bytes: saved.bytes,
      saves: loan.signature.saves,
      duplicateDeliveryStatus: duplicateStatus,
    },
  };
}
