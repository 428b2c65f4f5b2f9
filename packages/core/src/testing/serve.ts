/**
 * MSW handlers answered by a real node:http server on 127.0.0.1, so clients under test
 * use the real undici transport, sockets, timeouts and resilience. (MSW intercepts
 * globalThis.fetch and node:http clients, not undici's own client.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { getResponse, type RequestHandler } from "msw";

/** A request the server received, recorded for assertions. @public */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  /** The raw body bytes. */
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
}

/** A running loopback server. @public */
export interface ServedHandlers {
  /** Base URL, e.g. `http://127.0.0.1:51234`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Replace the handlers (overrides first), e.g. to add a fault for one test. */
  use(...handlers: RequestHandler[]): void;
  /** Drop overrides added with `use`. */
  resetHandlers(): void;
  /** Stop the server and destroy open sockets. */
  close(): Promise<void>;
}

/** Options for {@link serveHandlers}. @public */
export interface ServeOptions {
  /** What to answer a request no handler matches: an error response (default) or a 404. */
  onUnhandledRequest?: "error" | "404";
  /** Port to listen on (ephemeral by default). */
  port?: number;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A raw socket action a handler can request through {@link socketAction}. @internal */
export const SOCKET_ACTION = "x-connect-socket-action";

/**
 * Serve msw handlers on 127.0.0.1 with an ephemeral port.
 * @example
 * const server = await serveHandlers(createTwilioFake().handlers);
 * const client = createTwilioClient({ accountSid, auth, baseUrl: server.url });
 * @public
 */
export async function serveHandlers(handlers: RequestHandler[], options: ServeOptions = {}): Promise<ServedHandlers> {
  const base = [...handlers];
  let overrides: RequestHandler[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
      }
      requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers, body, text: body.toString("utf8") });
      const origin = `http://${headers.host ?? "127.0.0.1"}`;
      const method = req.method ?? "GET";
      const request = new Request(new URL(req.url ?? "/", origin), {
        method,
        headers,
        body: method === "GET" || method === "HEAD" || body.length === 0 ? undefined : new Uint8Array(body),
      });
      const response = await getResponse([...overrides, ...base], request);
      if (!response) {
        if (options.onUnhandledRequest === "404") {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "no handler" }));
        } else {
          res.writeHead(599, { "content-type": "text/plain" }).end(`serveHandlers: no handler for ${method} ${req.url}`);
        }
        return;
      }
      const action = response.headers.get(SOCKET_ACTION);
      if (action === "destroy") {
        req.socket.destroy();
        return;
      }
      const outHeaders: Record<string, string[]> = {};
      response.headers.forEach((value, key) => {
        if (key === SOCKET_ACTION || key === "content-length") return;
        (outHeaders[key] ??= []).push(value);
      });
      // Set-Cookie may repeat; others are already joined by Headers.
      res.writeHead(response.status, response.statusText, outHeaders);
      if (action === "reset-mid-body") {
        const bytes = Buffer.from(await response.arrayBuffer());
        res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      if (!response.body || method === "HEAD") {
        res.end();
        return;
      }
      Readable.fromWeb(response.body as never).on("error", () => req.socket.destroy()).pipe(res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`serveHandlers: handler threw: ${(error as Error).message}`);
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    use: (...more) => {
      overrides = [...more, ...overrides];
    },
    resetHandlers: () => {
      overrides = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
