/** Every vendor kit, by vendor id. */
import { twilioKit } from "./twilio.js";
import type { Kit, KitOptions } from "./types.js";

/** Kit factories, in the order the suites run them. */
export const KITS: Record<string, (options?: KitOptions) => Promise<Kit>> = {
  twilio: twilioKit,
};
