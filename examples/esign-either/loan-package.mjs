// The loan package both providers receive: four documents, the borrower first, two guarantors
// after, the loan officer in copy. Provider-neutral (core's SignatureRequest).

/** A one-page PDF showing `lines` (valid cross-reference table, opens in a viewer). */
export function onePagePdf(lines) {
  const text = lines.map((line, i) => `BT /F1 12 Tf 72 ${740 - i * 18} Td (${line.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET`).join("\n");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${Buffer.byteLength(text, "latin1")} >>\nstream\n${text}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

/** The closing package of one loan, as a SignatureRequest. */
export function loanPackage(loan = { number: "LN-1001", property: "14 Elm St", amount: "$480,000.00" }) {
  const doc = (id, title) => ({
    id,
    name: `${title}.pdf`,
    content: onePagePdf([`${title} - loan ${loan.number}`, `Property: ${loan.property}  Amount: ${loan.amount}`, "Borrower: /sn1/", "Guarantors: /sn2/  /sn3/"]),
  });
  return {
    subject: `Loan ${loan.number}: closing documents for ${loan.property}`,
    message: `Please review and sign the closing documents for loan ${loan.number}.`,
    documents: [doc("1", "Loan agreement"), doc("2", "Promissory note"), doc("3", "Security agreement"), doc("4", "Personal guarantee")],
    recipients: [
      { name: "Ana Borrower", email: "ana.borrower@example.com", order: 1, placements: [{ anchor: "/sn1/" }] },
      { name: "Gus Guarantor", email: "gus.guarantor@example.com", order: 2, placements: [{ anchor: "/sn2/" }] },
      { name: "Gina Guarantor", email: "gina.guarantor@example.com", order: 2, placements: [{ anchor: "/sn3/" }] },
      { name: "Lou Officer", email: "lou.officer@acme-lending.test", order: 3, role: "cc" },
    ],
    externalRef: loan.number,
  };
}
