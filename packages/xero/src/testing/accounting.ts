/**
 * The fake's Accounting API routes for one tenant's books: Contacts, Invoices, Payments and
 * Organisation in Xero's envelope, list filters (`where`, `IDs`, `Statuses`, `ContactIDs`,
 * `InvoiceNumbers`, `includeArchived`, `order`), `If-Modified-Since`, paging (100 per page, with
 * `pagination`), unpaged invoice lists without line items, and `summarizeErrors=false`.
 */
import { notImplementedByFake } from "@connect/core/testing";
import { FakeValidation, type FakeBooks } from "./books.js";
import { matchesWhere, parseWhere, WhereSyntaxError } from "./where.js";

/** What the routes answer with (the fake's response builders). @internal */
export interface AccountingResponders {
  fakeName: string;
  json(body: unknown, status?: number, headers?: Record<string, string>): Response;
  envelope(key: string, records: unknown[], extra?: Record<string, unknown>): Record<string, unknown>;
}

/** @internal */
export function createAccountingRoutes(r: AccountingResponders) {
  const { json, envelope } = r;
  const FAKE_NAME = r.fakeName;
  function validationResponse(error: FakeValidation): Response {
    if (error.postDataInvalid) return json({ ErrorNumber: 14, Type: "PostDataInvalidException", Message: error.messages.join("; ") }, 400);
    return json(
      { ErrorNumber: 10, Type: "ValidationException", Message: "A validation exception occurred", Elements: [{ ...error.element, ValidationErrors: error.messages.map((Message) => ({ Message })) }] },
      400,
    );
  }

  async function readEnvelope(request: Request, key: string): Promise<Array<Record<string, unknown>>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await request.text());
    } catch {
      throw new FakeValidation(["The request body could not be read as JSON"], {}, true);
    }
    const list = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[key] : undefined;
    // Xero also takes a single object for one record.
    if (list === undefined && parsed && typeof parsed === "object" && !Array.isArray(parsed)) return [parsed as Record<string, unknown>];
    if (!Array.isArray(list)) throw new FakeValidation([`Expected an array of ${key}`], {}, true);
    return list.map((e) => (e && typeof e === "object" ? (e as Record<string, unknown>) : {}));
  }

  function listed(request: Request, url: URL, rows: Array<{ view: Record<string, unknown>; updatedAt: number }>, key: string, filters: (view: Record<string, unknown>) => boolean): Response {
    const since = request.headers.get("if-modified-since");
    let sinceMs: number | undefined;
    if (since) {
      sinceMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(since) ? since : `${since}Z`);
      if (Number.isNaN(sinceMs)) sinceMs = undefined;
    }
    const where = url.searchParams.get("where");
    const node = where ? parseWhere(where) : undefined;
    const ids = url.searchParams.get("IDs")?.split(",").map((s) => s.trim().toLowerCase());
    let out = rows.filter((r) => (sinceMs === undefined || r.updatedAt > sinceMs) && (!ids || ids.includes(String(Object.values(r.view)[0]).toLowerCase())) && filters(r.view) && (!node || matchesWhere(r.view, node)));
    const order = url.searchParams.get("order");
    if (order) {
      const [fieldName, direction] = order.trim().split(/\s+/);
      if (!fieldName || (direction && !/^(ASC|DESC)$/i.test(direction))) throw new WhereSyntaxError(`bad order ${order}`);
      const sign = direction?.toUpperCase() === "DESC" ? -1 : 1;
      out = [...out].sort((a, b) => {
        const x = String(a.view[fieldName] ?? "");
        const y = String(b.view[fieldName] ?? "");
        return x < y ? -sign : x > y ? sign : 0;
      });
    }
    const pageParam = url.searchParams.get("page");
    if (pageParam === null) return json(envelope(key, out.map((r) => r.view)));
    const page = Math.max(1, Number.parseInt(pageParam, 10) || 1);
    const pageSize = Math.min(1000, Math.max(1, Number.parseInt(url.searchParams.get("pageSize") ?? "100", 10) || 100));
    const slice = out.slice((page - 1) * pageSize, page * pageSize).map((r) => r.view);
    return json(envelope(key, slice, { pagination: { page, pageSize, pageCount: Math.ceil(out.length / pageSize), itemCount: out.length } }));
  }

  const csv = (value: string | null): string[] | undefined => (value ? value.split(",").map((s) => s.trim()).filter(Boolean) : undefined);

  async function dispatch(request: Request, url: URL, segments: string[], b: FakeBooks): Promise<Response> {
    const method = request.method;
    const [resource = "", id, ...more] = segments;
    if (more.length > 0) return notImplementedByFake(FAKE_NAME, request);
    const includeLines = url.searchParams.get("page") !== null;
    // summarizeErrors=false: a bulk write answers 200 with each element marked OK or ERROR (shared/vendors/xero.md §2).
    const perElement = url.searchParams.get("summarizeErrors") === "false";
    const each = (items: Array<Record<string, unknown>>, write: (item: Record<string, unknown>) => Record<string, unknown>): Array<Record<string, unknown>> =>
      items.map((item) => {
        if (!perElement) return write(item);
        try {
          return { ...write(item), StatusAttributeString: "OK" };
        } catch (error) {
          if (!(error instanceof FakeValidation)) throw error;
          return { ...item, StatusAttributeString: "ERROR", ValidationErrors: error.messages.map((Message) => ({ Message })) };
        }
      });
    switch (resource) {
      case "Organisation":
        if (method === "GET" && !id) return json(envelope("Organisations", [b.organisation()]));
        break;
      case "Contacts": {
        if (method === "GET" && id) return json(envelope("Contacts", [b.contacts.get(id)]));
        if (method === "GET") {
          const includeArchived = url.searchParams.get("includeArchived") === "true";
          return listed(request, url, b.contacts.all(), "Contacts", (v) => includeArchived || v.ContactStatus !== "ARCHIVED");
        }
        const items = await readEnvelope(request, "Contacts");
        if (method === "PUT" && !id) return json(envelope("Contacts", each(items, (item) => b.contacts.create(item))));
        if (method === "POST" && id) return json(envelope("Contacts", [b.contacts.update(id, items[0] ?? {})]));
        if (method === "POST") return json(envelope("Contacts", each(items, (item) => b.contacts.upsert(item))));
        break;
      }
      case "Invoices": {
        if (method === "GET" && id) return json(envelope("Invoices", [b.invoices.get(id)]));
        if (method === "GET") {
          const statuses = csv(url.searchParams.get("Statuses"));
          const contactIds = csv(url.searchParams.get("ContactIDs"))?.map((s) => s.toLowerCase());
          const numbers = csv(url.searchParams.get("InvoiceNumbers"));
          return listed(
            request,
            url,
            b.invoices.all(includeLines),
            "Invoices",
            (v) =>
              (!statuses || statuses.includes(String(v.Status))) &&
              (!contactIds || contactIds.includes(String((v.Contact as Record<string, unknown>)?.ContactID).toLowerCase())) &&
              (!numbers || numbers.includes(String(v.InvoiceNumber))),
          );
        }
        const items = await readEnvelope(request, "Invoices");
        if (method === "PUT" && !id) return json(envelope("Invoices", each(items, (item) => b.invoices.create(item))));
        if (method === "POST" && id) return json(envelope("Invoices", [b.invoices.update(id, items[0] ?? {})]));
        if (method === "POST") return json(envelope("Invoices", each(items, (item) => (typeof item.InvoiceID === "string" ? b.invoices.update(item.InvoiceID, item) : b.invoices.create(item)))));
        break;
      }
      case "Payments": {
        if (method === "GET" && id) return json(envelope("Payments", [b.payments.get(id)]));
        if (method === "GET") return listed(request, url, b.payments.all(), "Payments", () => true);
        const items = await readEnvelope(request, "Payments");
        if ((method === "PUT" || method === "POST") && !id) return json(envelope("Payments", each(items, (item) => b.payments.create(item))));
        if (method === "POST" && id) return json(envelope("Payments", [b.payments.update(id, items[0] ?? {})]));
        break;
      }
      default:
        break;
    }
    return notImplementedByFake(FAKE_NAME, request);
  }

  return { dispatch, validationResponse };
}
