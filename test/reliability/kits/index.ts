/** Every vendor kit, by vendor id. */
import { docusignKit } from "./docusign.js";
import { sendgridKit } from "./sendgrid.js";
import { twilioKit } from "./twilio.js";
import type { Kit, KitOptions } from "./types.js";

/** Kit factories, in the order the suites run them. */
export const KITS: Record<string, (options?: KitOptions) => Promise<Kit>> = {
  twilio: twilioKit,
  sendgrid: sendgridKit,
  docusign: docusignKit,
};
