/**
 * The loan-signing envelope: the loan agreement, promissory note, security agreement and (when
 * there are guarantors) the personal guarantee, signed by the borrower first and the
 * guarantors after. Signature places are anchor texts the document templates carry.
 */
import { ValidationError, lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import type { CreateEnvelopeInput, DocumentContent, EventNotificationInput } from "./envelope-input.js";

/** Default anchor texts: `/sn1/`, `/ds1/` for the borrower; `/sn2/`, `/ds2/` … for guarantor 1, 2 …. @public */
export const LOAN_ANCHORS = {
  signHere: (party: number) => `/sn${party}/`,
  dateSigned: (party: number) => `/ds${party}/`,
} as const;

const Party = lazySchema(() =>
  z.strictObject({ name: z.string().trim().min(1).max(100), email: z.email().max(100) }),
);
const LoanDocument = lazySchema(() =>
  z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  content: z.custom<DocumentContent>((v) => typeof v === "object" && v !== null).optional(),
  documentBase64: z.string().min(1).optional(),
}),
);

/** A loan to sign. @public */
export const LoanSigningInput = lazySchema(() =>
  z.strictObject({
  /** The loan's id: in the subject and kept as the `loanId` custom field (echoed in Connect messages). */
  loanId: z.string().trim().min(1).max(100),
  borrower: unlazy(Party),
  /** Sign after the borrower; all at routing order 2 (default) or one after another (`guarantorsInSequence`). */
  guarantors: z.array(unlazy(Party)).max(20).default([]),
  guarantorsInSequence: z.boolean().default(false),
  /** Receive the completed documents (loan officer, closing desk), after everyone signed. */
  carbonCopies: z.array(unlazy(Party)).default([]),
  documents: z.strictObject({
    loanAgreement: unlazy(LoanDocument),
    promissoryNote: unlazy(LoanDocument),
    securityAgreement: unlazy(LoanDocument),
    /** Required when there are guarantors. */
    personalGuarantee: unlazy(LoanDocument).optional(),
  }),
  emailSubject: z.string().trim().min(1).max(100).optional(),
  emailBlurb: z.string().max(10_000).optional(),
  /** Per-envelope Connect; omit when an account-level Connect configuration is used. */
  eventNotification: z.custom<EventNotificationInput>((v) => typeof v === "object" && v !== null).optional(),
  /** `false` keeps a draft. Default true. */
  send: z.boolean().default(true),
}),
);
/** A loan to sign. @public */
export type LoanSigningInput = z.input<typeof LoanSigningInput>;

const DOCUMENTS = [
  ["loanAgreement", "Loan agreement.pdf"],
  ["promissoryNote", "Promissory note.pdf"],
  ["securityAgreement", "Security agreement.pdf"],
  ["personalGuarantee", "Personal guarantee.pdf"],
] as const;

/**
 * Build the `envelopes.create` input for a loan: documents 1–4 in order, the borrower at
 * routing order 1 on the loan documents' anchors `/sn1/` `/ds1/`, guarantor n on `/sn{n+1}/`
 * `/ds{n+1}/` at order 2 (or 2, 3 … in sequence), carbon copies last.
 * @example
 * const input = buildLoanSigningEnvelope({ loanId: "L-1001", borrower, guarantors: [g1], documents });
 * await docusign.envelopes.create(input, { idempotencyKey: "loan-L-1001-closing-v1" });
 * @public
 */
export function buildLoanSigningEnvelope(loan: LoanSigningInput): CreateEnvelopeInput {
  const parsed = LoanSigningInput.safeParse(loan);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message, code: i.code }));
    throw new ValidationError(`docusign loan signing: invalid loan — ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { vendor: "docusign", operation: "envelopes.create", issues });
  }
  const input = parsed.data;
  if (input.guarantors.length > 0 && !input.documents.personalGuarantee) {
    throw new ValidationError("docusign loan signing: guarantors need documents.personalGuarantee", {
      vendor: "docusign",
      operation: "envelopes.create",
      issues: [{ path: "documents.personalGuarantee", message: "required when there are guarantors" }],
    });
  }
  const documents = DOCUMENTS.flatMap(([key, defaultName], index) => {
    const doc = input.documents[key];
    if (!doc || (key === "personalGuarantee" && input.guarantors.length === 0)) return [];
    return [{ documentId: String(index + 1), name: doc.name ?? defaultName, ...(doc.content !== undefined ? { content: doc.content } : {}), ...(doc.documentBase64 !== undefined ? { documentBase64: doc.documentBase64 } : {}) }];
  });
  const tabsFor = (party: number) => ({
    signHereTabs: [{ anchorString: LOAN_ANCHORS.signHere(party), anchorUnits: "pixels" as const, anchorXOffset: 0, anchorYOffset: 0, anchorIgnoreIfNotPresent: true }],
    dateSignedTabs: [{ anchorString: LOAN_ANCHORS.dateSigned(party), anchorUnits: "pixels" as const, anchorXOffset: 0, anchorYOffset: 0, anchorIgnoreIfNotPresent: true }],
  });
  const lastGuarantorOrder = input.guarantors.length === 0 ? 1 : input.guarantorsInSequence ? 1 + input.guarantors.length : 2;
  return {
    emailSubject: input.emailSubject ?? `Loan ${input.loanId}: documents to sign`.slice(0, 100),
    ...(input.emailBlurb ? { emailBlurb: input.emailBlurb } : {}),
    status: input.send ? "sent" : "created",
    documents,
    recipients: {
      signers: [
        { recipientId: "1", name: input.borrower.name, email: input.borrower.email, routingOrder: 1, roleName: "Borrower", tabs: tabsFor(1) },
        ...input.guarantors.map((g, i) => ({
          recipientId: String(i + 2),
          name: g.name,
          email: g.email,
          routingOrder: input.guarantorsInSequence ? i + 2 : 2,
          roleName: `Guarantor ${i + 1}`,
          tabs: tabsFor(i + 2),
        })),
      ],
      carbonCopies: input.carbonCopies.map((c, i) => ({ recipientId: String(input.guarantors.length + 2 + i), name: c.name, email: c.email, routingOrder: lastGuarantorOrder + 1 })),
    },
    ...(input.eventNotification ? { eventNotification: input.eventNotification } : {}),
    customFields: { loanId: input.loanId },
  };
}
