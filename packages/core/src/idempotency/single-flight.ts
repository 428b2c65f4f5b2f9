/** Single-flight: concurrent calls with the same key share one promise. */

/** Shares one in-flight promise per key. @public */
export interface SingleFlight {
  /** Run `fn` unless a call with the same key is in flight, in which case join it. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Whether a call with this key is in flight. */
  has(key: string): boolean;
}

/**
 * Create a single-flight group: while `run(key, fn)` is pending, further `run(key, …)` calls
 * get the same promise (same result, same rejection); once it settles the next call runs again.
 * @example
 * const flights = singleFlight();
 * const [a, b] = await Promise.all([flights.run("token", fetchToken), flights.run("token", fetchToken)]); // one fetch
 * @public
 */
export function singleFlight(): SingleFlight {
  const inFlight = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const existing = inFlight.get(key);
      if (existing) return existing as Promise<T>;
      // fn starts in a microtask, after the promise is registered, so even a synchronous throw is shared and cleared.
      const promise: Promise<T> = Promise.resolve()
        .then(fn)
        .finally(() => {
          if (inFlight.get(key) === promise) inFlight.delete(key);
        });
      inFlight.set(key, promise);
      return promise;
    },
    has(key) {
      return inFlight.has(key);
    },
  };
}
