/**
 * What SendGrid itself refuses on POST /v3/mail/send, written independently of the SDK's
 * schemas so contract tests catch the two drifting apart. Error wording follows
 * shared/vendors/sendgrid.md §2–§3 (field paths with dotted indexes).
 */
export interface FakeErrorEntry {
  message: string;
  field: string | null;
  help?: string;
}

const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** Options of {@link mailSendErrors}. */
export interface MailSendRuleOptions {
  /** Whether a `batch_id` was issued by POST /v3/mail/batch; without it any string passes. */
  knownBatchId?: ((id: string) => boolean) | undefined;
}

/** Validate a mail/send body as SendGrid does; an empty list means accepted. */
export function mailSendErrors(body: unknown, options: MailSendRuleOptions = {}): FakeErrorEntry[] {
  const errors: FakeErrorEntry[] = [];
  const err = (field: string | null, message: string, anchor: string): void => {
    errors.push({ field, message, help: `${HELP}#message.${anchor}` });
  };
  if (!isObject(body)) {
    err(null, "Bad Request", "body");
    return errors;
  }
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    err("personalizations", "The personalizations field is required and must have at least one personalization.", "personalizations");
  } else {
    if (personalizations.length > 1000) err("personalizations", "The personalizations field must have between 1 and 1000 personalizations.", "personalizations");
    let recipients = 0;
    personalizations.forEach((p: unknown, i) => {
      if (!isObject(p) || !Array.isArray(p.to) || p.to.length === 0) {
        err(`personalizations.${i}.to`, "The to array is required for all personalization objects, and must have at least one email object with a valid email address.", "personalizations.to");
        return;
      }
      for (const kind of ["to", "cc", "bcc"] as const) {
        const list = p[kind];
        if (!Array.isArray(list)) continue;
        recipients += list.length;
        list.forEach((a: unknown, j) => {
          if (!isObject(a) || typeof a.email !== "string" || !EMAIL.test(a.email)) err(`personalizations.${i}.${kind}.${j}.email`, "Does not contain a valid address.", `personalizations.${kind}`);
        });
      }
    });
    if (recipients > 1000) err("personalizations", "The total number of recipients must be less than or equal to 1000.", "personalizations");
  }
  const from = body.from;
  if (!isObject(from) || typeof from.email !== "string" || !EMAIL.test(from.email)) err("from.email", "The from email does not contain a valid address.", "from");
  if (body.reply_to !== undefined && body.reply_to_list !== undefined) err("reply_to", "The reply_to and reply_to_list fields cannot be used together.", "reply_to");
  const template = typeof body.template_id === "string" && body.template_id.length > 0;
  if (!template && !(typeof body.subject === "string" && body.subject.length > 0) && !(Array.isArray(personalizations) && personalizations.every((p: unknown) => isObject(p) && typeof p.subject === "string"))) {
    err("subject", "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.", "subject");
  }
  if (!template && (!Array.isArray(body.content) || body.content.length === 0)) err("content", "Unless a valid template_id is provided, the content parameter is required.", "content");
  if (Array.isArray(body.attachments)) {
    body.attachments.forEach((a: unknown, i) => {
      if (!isObject(a) || typeof a.content !== "string" || a.content.length % 4 !== 0 || !BASE64.test(a.content)) err(`attachments.${i}.content`, "The attachment content must be base64 encoded.", "attachments.content");
      if (!isObject(a) || typeof a.filename !== "string" || a.filename === "") err(`attachments.${i}.filename`, "The attachment filename parameter is required.", "attachments.filename");
    });
  }
  if (body.batch_id !== undefined) {
    // "The batch_id must be a string." is the documented error (errors page, message.batch_id) [D]; an id
    // SendGrid did not issue is refused with 400 as well (sendgrid/docs#5053), wording as the batch endpoints' [?].
    if (typeof body.batch_id !== "string") err("batch_id", "The batch_id must be a string.", "batch_id");
    else if (options.knownBatchId && !options.knownBatchId(body.batch_id)) err("batch_id", "invalid batch id", "batch_id");
  }
  const sandbox = isObject(body.mail_settings) && isObject(body.mail_settings.sandbox_mode) ? body.mail_settings.sandbox_mode.enable : undefined;
  if (sandbox !== undefined && typeof sandbox !== "boolean") err("mail_settings.sandbox_mode.enable", "The sandbox_mode enable parameter must be a boolean.", "mail_settings.sandbox_mode.enable");
  return errors;
}
