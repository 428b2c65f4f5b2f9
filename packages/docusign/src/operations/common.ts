/** Pieces every REST operation shares: the account path and response bookkeeping. @internal */
import type { HttpResponse, OperationContext } from "@connect/core";
import { observeResponse } from "../rate-limit.js";

/** `/v2.1/accounts/{accountId}` for the client's account. @internal */
export function accountPath(ctx: Pick<OperationContext, "params">): string {
  return `/v2.1/accounts/${encodeURIComponent(ctx.params.accountId ?? "")}`;
}

/** `…/envelopes/{envelopeId}`. @internal */
export function envelopePath(ctx: Pick<OperationContext, "params">, envelopeId: string): string {
  return `${accountPath(ctx)}/envelopes/${encodeURIComponent(envelopeId)}`;
}

/** Record the rate headers and return the JSON body (the default response hook). @internal */
export function jsonBody(response: HttpResponse, _input: unknown, ctx: OperationContext): unknown {
  observeResponse(ctx, response);
  return response.body;
}

/** Send through the runtime and record the rate headers. @internal */
export async function sendObserved(ctx: OperationContext, request: Parameters<OperationContext["send"]>[0]): Promise<HttpResponse> {
  const response = await ctx.send(request);
  observeResponse(ctx, response);
  return response;
}
