/**
 * The input of `envelopes.createFromTemplate` and its `envelopeDefinition`: a server template's
 * documents and recipient roles, each role (`roleName`) filled with a person by `templateRoles`
 * (DocuSign eSignature REST: Envelopes: create, templateId + templateRoles).
 */
import { lazySchema, unlazy } from "@connect/core";
import { z } from "zod";
import { EventNotificationInput, SignerInput } from "./envelope-input.js";
import { customFieldsWire, eventNotificationWire } from "./envelope-wire.js";

/** One role of the template filled with a person. @public */
export const TemplateRoleInput = lazySchema(() =>
  z.strictObject({
  /** The role's name in the template (matched exactly). */
  roleName: z.string().trim().min(1).max(100),
  name: SignerInput.shape.name,
  email: SignerInput.shape.email,
  /** Set for embedded (in-app) signing through `envelopes.createRecipientView`. */
  clientUserId: SignerInput.shape.clientUserId,
  /** Overrides the template's routing order for this role. */
  routingOrder: z.number().int().min(1).max(999).optional(),
}),
);
/** One filled template role. @public */
export type TemplateRoleInput = z.input<typeof TemplateRoleInput>;

/** Input of `envelopes.createFromTemplate`. @public */
export const CreateEnvelopeFromTemplateInput = lazySchema(() =>
  z
  .strictObject({
    templateId: z.string().trim().min(1).regex(/^[A-Za-z0-9-]+$/, { message: "not a template id" }),
    templateRoles: z.array(unlazy(TemplateRoleInput)).min(1, { message: "fill at least one template role" }),
    /** Default: the template's subject. */
    emailSubject: z.string().trim().min(1).max(100).optional(),
    emailBlurb: z.string().max(10_000).optional(),
    /** `sent` (default) sends now; `created` keeps a draft. */
    status: z.enum(["sent", "created"]).default("sent"),
    /** Looked up before a retry of an unknown outcome; default: derived from the idempotency key. */
    transactionId: z.string().trim().min(1).max(100).optional(),
    eventNotification: EventNotificationInput.optional(),
    customFields: z.record(z.string().min(1).max(100), z.string().max(100)).optional(),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.templateRoles.forEach((role, i) => {
      if (seen.has(role.roleName)) ctx.addIssue({ code: "custom", path: ["templateRoles", i, "roleName"], message: `role '${role.roleName}' is filled twice` });
      seen.add(role.roleName);
    });
  }),
);
/** Input of `envelopes.createFromTemplate`. @public */
export type CreateEnvelopeFromTemplateInput = z.input<typeof CreateEnvelopeFromTemplateInput>;
/** The validated input of `envelopes.createFromTemplate`. @internal */
export type ParsedCreateEnvelopeFromTemplateInput = z.output<typeof CreateEnvelopeFromTemplateInput>;

/** The `envelopeDefinition` of a template envelope, every scalar a string. @internal */
export function toTemplateEnvelopeDefinition(input: ParsedCreateEnvelopeFromTemplateInput, transactionId: string): Record<string, unknown> {
  return {
    templateId: input.templateId,
    templateRoles: input.templateRoles.map((r) => ({
      roleName: r.roleName,
      name: r.name,
      email: r.email,
      ...(r.clientUserId ? { clientUserId: r.clientUserId } : {}),
      ...(r.routingOrder !== undefined ? { routingOrder: String(r.routingOrder) } : {}),
    })),
    status: input.status,
    transactionId,
    ...(input.emailSubject ? { emailSubject: input.emailSubject } : {}),
    ...(input.emailBlurb ? { emailBlurb: input.emailBlurb } : {}),
    ...(input.eventNotification ? { eventNotification: eventNotificationWire(input.eventNotification) } : {}),
    ...(input.customFields ? { customFields: customFieldsWire(input.customFields) } : {}),
  };
}
