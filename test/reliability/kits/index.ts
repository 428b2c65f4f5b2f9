/** Every vendor kit, by vendor id. */
import { authentisignKit } from "./authentisign.js";
import { bpoKit } from "./bpo.js";
import { docusignKit } from "./docusign.js";
import { mailgunKit } from "./mailgun.js";
import { quickbooksKit } from "./quickbooks.js";
import { sendgridKit } from "./sendgrid.js";
import { sesKit } from "./ses.js";
import { textractKit } from "./textract.js";
import { twilioKit } from "./twilio.js";
import { xeroKit } from "./xero.js";
import type { Kit, KitOptions } from "./types.js";

/** Kit factories, in the order the suites run them. */
export const KITS: Record<string, (options?: KitOptions) => Promise<Kit>> = {
  twilio: twilioKit,
  sendgrid: sendgridKit,
  ses: sesKit,
  mailgun: mailgunKit,
  docusign: docusignKit,
  authentisign: authentisignKit,
  quickbooks: quickbooksKit,
  xero: xeroKit,
  textract: textractKit,
  bpo: bpoKit,
};
