/**
 * Fault injection for tests: scripted status sequences, delays, connection resets,
 * malformed bodies and 429s, as msw handlers to put in front of a fake.
 */
import { http, HttpResponse, type RequestHandler } from "msw";
import { SOCKET_ACTION } from "./serve.js";

/** One scripted answer: a status, a full Response, or a fault. @public */
export type ScriptedAnswer = number | Response | (() => Response | Promise<Response>);

type Method = "get" | "post" | "put" | "patch" | "delete" | "all";

/** A handler that answers the next requests from a script, then lets the fake answer. @public */
export interface FaultHandler {
  /** The msw handler to pass to `server.use(…)`. */
  handler: RequestHandler;
  /** How many requests the script has answered so far. */
  readonly calls: number;
}

/** A JSON error response with the given status (body `{ status, message }`). @public */
export function statusResponse(status: number, init: { headers?: Record<string, string>; body?: unknown } = {}): Response {
  return HttpResponse.json((init.body ?? { status, message: `scripted ${status}` }) as never, { status, headers: init.headers });
}

/** A 429 with `Retry-After` (seconds, or omitted). @public */
export function rateLimited(retryAfterSeconds?: number | string, body?: unknown): Response {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  return statusResponse(429, { headers, body });
}

/** A 200 whose body is not valid JSON. @public */
export function malformedJson(status = 200): Response {
  return new HttpResponse('{"truncated": tr', { status, headers: { "content-type": "application/json" } });
}

/** The server destroys the socket without answering. @public */
export function connectionReset(): Response {
  return new HttpResponse(null, { status: 200, headers: { [SOCKET_ACTION]: "destroy" } });
}

/** The server sends the headers and half the body, then resets the connection. @public */
export function resetMidBody(body: unknown = { data: "x".repeat(4096) }): Response {
  return new HttpResponse(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json", [SOCKET_ACTION]: "reset-mid-body" },
  });
}

/** Answer after `ms` milliseconds (real time; keep it short). @public */
export function delayed(ms: number, response: () => Response | Promise<Response>): () => Promise<Response> {
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return response();
  };
}

/** Headers arrive at once, then the body stalls for `ms` before finishing. @public */
export function stalledBody(ms: number, status = 200): Response {
  let timer: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"partial":'));
      timer = setTimeout(() => {
        controller.enqueue(new TextEncoder().encode("true}"));
        controller.close();
      }, ms);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new HttpResponse(stream, { status, headers: { "content-type": "application/json" } });
}

/**
 * Script the next answers for requests matching `method` and `path` (msw path syntax).
 * Once the script is used up, requests fall through to the fake's own handlers.
 * @example
 * server.use(scripted("post", "*\/Messages.json", [503, 503]).handler); // third attempt reaches the fake
 * @public
 */
export function scripted(method: Method, path: string, answers: ScriptedAnswer[]): FaultHandler {
  let calls = 0;
  const handler = http[method](path, async () => {
    const answer = answers[calls];
    if (answer === undefined) return undefined;
    calls += 1;
    if (typeof answer === "number") return statusResponse(answer);
    if (typeof answer === "function") return answer();
    return answer;
  });
  return {
    handler,
    get calls() {
      return calls;
    },
  };
}

/** Answer every matching request with `answer` (for breaker and exhaustion tests). @public */
export function always(method: Method, path: string, answer: ScriptedAnswer): FaultHandler {
  let calls = 0;
  const handler = http[method](path, async () => {
    calls += 1;
    if (typeof answer === "number") return statusResponse(answer);
    if (typeof answer === "function") return answer();
    return answer.clone();
  });
  return {
    handler,
    get calls() {
      return calls;
    },
  };
}
