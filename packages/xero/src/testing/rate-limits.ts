/**
 * The fake's rate counters (shared/vendors/xero.md §3): fixed windows per tenant (minute, day) and
 * per app (minute), the `X-*Limit-Remaining` headers on every answer, and which limit a call broke.
 */

/** @internal */
export function createRateCounters(options: { now: () => number; limits: { perMinute: number; perDay: number; appPerMinute: number } }) {
  const { now, limits } = options;
  let counters = new Map<string, { window: number; count: number }>();
  function spend(tenantId: string): { headers: Record<string, string>; exceeded?: { problem: string; retryAfter?: number } } {
    const t = now();
    const bump = (key: string, size: number): { count: number; resetIn: number } => {
      const window = Math.floor(t / size);
      let c = counters.get(key);
      if (!c || c.window !== window) {
        c = { window, count: 0 };
        counters.set(key, c);
      }
      c.count += 1;
      return { count: c.count, resetIn: Math.ceil(((window + 1) * size - t) / 1000) };
    };
    const minute = bump(`min:${tenantId}`, 60_000);
    const day = bump(`day:${tenantId}`, 86_400_000);
    const app = bump("app", 60_000);
    const headers = {
      "x-minlimit-remaining": String(Math.max(0, limits.perMinute - minute.count)),
      "x-daylimit-remaining": String(Math.max(0, limits.perDay - day.count)),
      "x-appminlimit-remaining": String(Math.max(0, limits.appPerMinute - app.count)),
    };
    if (day.count > limits.perDay) return { headers, exceeded: { problem: "day", retryAfter: day.resetIn } };
    if (minute.count > limits.perMinute) return { headers, exceeded: { problem: "minute", retryAfter: minute.resetIn } };
    if (app.count > limits.appPerMinute) return { headers, exceeded: { problem: "appminute" } };
    return { headers };
  }

  return {
    spend,
    clear(): void {
      counters = new Map();
    },
  };
}
