/** Types of providers.mjs, for the example's tests. */
import type { ESignatureProvider, PolicyOptions, SignatureEvent } from "@connect/core";

export type ProviderName = "docusign" | "authentisign";

/** One provider against its fake, with a verified callback receiver. */
export interface ProviderFixture {
  name: ProviderName;
  provider: ESignatureProvider;
  /** Every SignatureEvent the receiver emitted, in order. */
  events: SignatureEvent[];
  /** Resolve with the first event (already received or coming) that matches. */
  waitForEvent(predicate: (event: SignatureEvent) => boolean, timeoutMs?: number): Promise<SignatureEvent>;
  /** Every signer signs (through the fake); resolves after the callbacks were delivered. */
  completeAll(id: string): Promise<void>;
  /** A signer declines (through the fake); resolves after the callbacks were delivered. */
  decline(id: string, email: string, reason: string): Promise<void>;
  /** Wait for callbacks caused by API calls (send, void/delete). */
  settled(): Promise<void>;
  /** The exact signed bytes, when the fake can say. */
  signedBytes(id: string): Buffer | undefined;
  /** From now on the vendor answers 503. */
  outage(): void;
  /** Requests the vendor fake received so far. */
  requestCount(): number;
  close(): Promise<void>;
}

export const PROVIDERS: ProviderName[];
export const DEMO_POLICY: PolicyOptions;
export function startProvider(name: ProviderName, options?: { policy?: PolicyOptions }): Promise<ProviderFixture>;
