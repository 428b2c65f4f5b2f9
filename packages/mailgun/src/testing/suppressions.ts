/**
 * The fake's suppression endpoints (shared/vendors/mailgun.md §5): pages with `limit` (≤ 1000,
 * default 100), `term` prefix and `page=first|next|previous|last` + `address` pivot, paging URLs
 * on the fake's own host; one address (404 with Mailgun's texts); add (a JSON array ≤ 1000, or
 * one record as a form); delete one address or the whole list.
 */
import { http, HttpResponse, type RequestHandler } from "msw";
import { bareAddress, mailgunError, readForm, rfc2822, type FakeBounce, type FakeComplaint, type FakeDomain, type FakeUnsubscribe } from "./state.js";

type ListName = "bounces" | "complaints" | "unsubscribes";
type Row = FakeBounce | FakeComplaint | FakeUnsubscribe;

const NOT_FOUND: Record<ListName, string> = {
  bounces: "Address not found in bounces table",
  unsubscribes: "Address not found in unsubscribers table",
  complaints: "No spam complaints found for this address",
};
const REMOVED: Record<ListName, string> = {
  bounces: "Bounced address has been removed",
  unsubscribes: "Unsubscribe event has been removed",
  complaints: "Spam complaint has been removed",
};
const REMOVED_ALL: Record<ListName, string> = {
  bounces: "Bounced addresses for this domain have been removed",
  unsubscribes: "Unsubscribe events for this domain have been removed",
  complaints: "Spam complaints for this domain have been removed",
};

function isList(value: unknown): value is ListName {
  return value === "bounces" || value === "complaints" || value === "unsubscribes";
}

function toRow(list: ListName, record: Record<string, unknown>, nowMs: number): Row | string {
  const address = typeof record.address === "string" ? bareAddress(record.address) : undefined;
  if (!address) return typeof record.address === "string" ? `'${record.address}' is not a valid address` : "address parameter is missing";
  const createdAt = typeof record.created_at === "string" && !Number.isNaN(Date.parse(record.created_at)) ? record.created_at : rfc2822(nowMs);
  if (list === "bounces") {
    return { address, code: record.code === undefined ? "550" : String(record.code), error: typeof record.error === "string" ? record.error : "", created_at: createdAt };
  }
  if (list === "unsubscribes") {
    const tags = Array.isArray(record.tags) ? record.tags.map(String) : typeof record.tag === "string" ? [record.tag] : ["*"];
    return { address, tags, created_at: createdAt };
  }
  return { address, created_at: createdAt };
}

/** The suppression handlers. @internal */
export function suppressionEndpoints(domainOf: (name: string) => FakeDomain | undefined, now: () => number): RequestHandler[] {
  const resolve = (params: Record<string, unknown>): { domain: FakeDomain; list: ListName } | Response | undefined => {
    if (!isList(params.list)) return undefined;
    const domain = domainOf(String(params.domain));
    if (!domain) return mailgunError(404, `Domain not found: ${String(params.domain)}`);
    return { domain, list: params.list };
  };

  return [
    http.get("*/v3/:domain/:list", ({ request, params }) => {
      const target = resolve(params);
      if (!target || target instanceof Response) return target;
      const url = new URL(request.url);
      const limit = url.searchParams.has("limit") ? Number(url.searchParams.get("limit")) : 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return mailgunError(400, "limit must be between 1 and 1000");
      const term = url.searchParams.get("term")?.toLowerCase();
      const rows = (target.domain[target.list] as Row[]).filter((r) => !term || r.address.startsWith(term)).sort((a, b) => a.address.localeCompare(b.address));
      const page = url.searchParams.get("page") ?? "first";
      const pivot = url.searchParams.get("address")?.toLowerCase();
      let items: Row[];
      if (page === "next" && pivot) items = rows.filter((r) => r.address > pivot).slice(0, limit);
      else if (page === "previous" && pivot) items = rows.filter((r) => r.address < pivot).slice(-limit);
      else if (page === "last") items = rows.slice(-limit);
      else items = rows.slice(0, limit);
      const base = `${url.origin}/v3/${target.domain.name}/${target.list}`;
      const q = (extra: string) => `${base}?page=${extra}&limit=${limit}${term ? `&term=${encodeURIComponent(term)}` : ""}`;
      const last = items[items.length - 1]?.address ?? pivot ?? "";
      const first = items[0]?.address ?? pivot ?? "";
      return HttpResponse.json({
        items,
        paging: {
          first: q("first"),
          next: `${q("next")}&address=${encodeURIComponent(last)}`,
          previous: `${q("previous")}&address=${encodeURIComponent(first)}`,
          last: q("last"),
        },
      });
    }),
    http.get("*/v3/:domain/:list/:address", ({ params }) => {
      const target = resolve(params);
      if (!target || target instanceof Response) return target;
      const address = decodeURIComponent(String(params.address)).toLowerCase();
      const row = (target.domain[target.list] as Row[]).find((r) => r.address === address);
      return row ? HttpResponse.json(row) : mailgunError(404, NOT_FOUND[target.list]);
    }),
    http.post("*/v3/:domain/:list", async ({ request, params }) => {
      const target = resolve(params);
      if (!target || target instanceof Response) return target;
      const rows = target.domain[target.list] as Row[];
      const upsert = (row: Row) => {
        const at = rows.findIndex((r) => r.address === row.address);
        if (at === -1) rows.push(row);
        else rows[at] = row;
      };
      const type = request.headers.get("content-type") ?? "";
      if (type.startsWith("application/json")) {
        const body: unknown = await request.json().catch(() => undefined);
        if (!Array.isArray(body)) return mailgunError(400, "Invalid JSON: expected an array of records");
        if (body.length >= 1000) return mailgunError(400, "Batch size should be less than 1000");
        const built = body.map((r) => (r && typeof r === "object" ? toRow(target.list, r as Record<string, unknown>, now()) : "address parameter is missing"));
        const bad = built.find((r): r is string => typeof r === "string");
        if (bad) return mailgunError(400, bad);
        for (const row of built as Row[]) upsert(row);
        return HttpResponse.json({ message: `${built.length} addresses have been added to the ${target.list} table` });
      }
      const form = await readForm(request);
      if (!form) return mailgunError(400, "address parameter is missing");
      const record: Record<string, unknown> = Object.fromEntries(Object.entries(form.fields).map(([k, v]) => [k, v[0]]));
      const row = toRow(target.list, record, now());
      if (typeof row === "string") return mailgunError(400, row);
      upsert(row);
      return HttpResponse.json({ message: `Address has been added to the ${target.list} table`, address: row.address });
    }),
    http.delete("*/v3/:domain/:list/:address", ({ params }) => {
      const target = resolve(params);
      if (!target || target instanceof Response) return target;
      const address = decodeURIComponent(String(params.address)).toLowerCase();
      const rows = target.domain[target.list] as Row[];
      const at = rows.findIndex((r) => r.address === address);
      if (at === -1) return mailgunError(404, NOT_FOUND[target.list]);
      rows.splice(at, 1);
      return HttpResponse.json({ message: REMOVED[target.list], address });
    }),
    http.delete("*/v3/:domain/:list", ({ params }) => {
      const target = resolve(params);
      if (!target || target instanceof Response) return target;
      (target.domain[target.list] as Row[]).length = 0;
      return HttpResponse.json({ message: REMOVED_ALL[target.list] });
    }),
  ];
}
