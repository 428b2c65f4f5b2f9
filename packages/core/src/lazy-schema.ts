/**
 * Schemas built on first use instead of at import. Building a zod schema costs ≈ 0.5 ms per
 * object schema on a 2-core machine, and a vendor package declares dozens: tens of milliseconds
 * of every cold start spent on schemas the process may never use. `lazySchema` returns a
 * stand-in that builds the schema the first time anything reads from it and then forwards every
 * read to it, so it parses, composes, infers and passes `instanceof` checks as the schema does.
 * Inside another lazy schema's builder, `unlazy(Inner)` nests the built schema itself, so a parse
 * of the outer one never goes through the stand-in.
 */

const targets = new WeakMap<object, () => object>();

/**
 * A schema (or any object: a shape, an operation) made by `build` on its first use.
 * @example
 * export const Envelope = lazySchema(() => z.object({ envelopeId: z.string(), status: unlazy(EnvelopeStatus) }));
 * export type Envelope = z.infer<typeof Envelope>;
 * @public
 */
export function lazySchema<T extends object>(build: () => T): T {
  let real: T | undefined;
  const get = (): T => (real ??= build());
  const proxy = new Proxy({} as T, {
    get: (_target, key) => Reflect.get(get(), key),
    set: (_target, key, value) => Reflect.set(get(), key, value),
    has: (_target, key) => Reflect.has(get(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
    // Keys and descriptors too, so spreading, `Object.keys` and `{ ...shape }` see the built
    // object (reported configurable: the stand-in's own target is empty).
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
  targets.set(proxy, get);
  return proxy;
}

/**
 * The schema behind a {@link lazySchema} stand-in (built now if it was not yet), or `value`
 * itself when it is no stand-in.
 * @public
 */
export function unlazy<T>(value: T): T {
  const get = typeof value === "object" && value !== null ? targets.get(value) : undefined;
  return get ? (get() as T) : value;
}
