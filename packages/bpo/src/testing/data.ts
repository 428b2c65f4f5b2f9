/**
 * Deterministic, realistic BPO projects for the fake and the export generator: Firestore-style
 * ids, real-looking addresses (some with unit numbers after a comma), submitters, prices and
 * notes with commas, quotes and line breaks — the things that break naive CSV handling.
 */
import type { Project } from "@connect/bpo";

/** A project as the fake stores it and exports write it (the API shape, `updated_at` always set). @public */
export type FakeProject = Project & { updated_at: string; created_at: string };

/** A seeded pseudo-random source in [0, 1) (mulberry32). @public */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A 20-character Firestore-style document id. @public */
export function firestoreId(random: () => number): string {
  let id = "";
  for (let i = 0; i < 20; i++) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}

const STREETS = ["Oak", "Maple", "Cedar", "Mission", "Valencia", "Elm", "Sunset", "Lakeview", "Hillcrest", "Ridge", "Willow", "Magnolia", "Granite", "Harbor", "Juniper"];
const SUFFIXES = ["St", "Ave", "Blvd", "Rd", "Ln", "Dr", "Ct", "Way"];
const PLACES: Array<[city: string, state: string, zip: string]> = [
  ["San Francisco", "CA", "94110"],
  ["Oakland", "CA", "94607"],
  ["Austin", "TX", "78704"],
  ["Denver", "CO", "80205"],
  ["Boston", "MA", "02134"],
  ["Portland", "OR", "97214"],
  ["Phoenix", "AZ", "85004"],
  ["Nashville", "TN", "37206"],
  ["Raleigh", "NC", "27601"],
  ["Boise", "ID", "83702"],
];
const FIRST = ["Ana", "Ben", "Chloe", "Diego", "Erin", "Farah", "Grace", "Hiro", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nia", "Omar", "Priya"];
const LAST = ["Reyes", "Nguyen", "Okafor", "Schmidt", "Patel", "Kim", "Garcia", "Cohen", "Silva", "Murphy", "Tanaka", "Haddad"];
const NOTES = [
  "Corner lot, needs survey",
  'Seller says "motivated", call after 5pm',
  "Zoned R-2; adjacent parcel may be available, ask broker",
  "Split lot potential.\nCheck easement on the north side",
  "Former gas station — phase I ESA needed",
  "Builder interested, wants 3 units",
  "",
];
/** Status mix of a lead system: mostly leads. */
const STATUSES: Array<[string, number]> = [
  ["LEAD", 0.6],
  ["FEASIBILITY", 0.2],
  ["ENTITLEMENT", 0.1],
  ["CLOSED", 0.06],
  ["DEAD", 0.04],
];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function pickStatus(random: () => number): string {
  let r = random();
  for (const [status, weight] of STATUSES) {
    if (r < weight) return status;
    r -= weight;
  }
  return "LEAD";
}

/** Options of {@link generateProjects}. @public */
export interface GenerateProjectsOptions {
  /** How many. */
  count: number;
  /** PRNG seed; the same seed gives the same projects. Default 1. */
  seed?: number | undefined;
  /** Time of the first project (ISO); the others follow a few minutes apart. Default 2024-05-01T08:00:00Z. */
  start?: string | undefined;
  /** Every project gets this status instead of the usual mix. */
  status?: string | undefined;
}

/** Generate realistic projects, lazily (a million cost no memory until consumed). @public */
export function* generateProjects(options: GenerateProjectsOptions): Generator<FakeProject, void, undefined> {
  const random = createRandom(options.seed ?? 1);
  let at = Date.parse(options.start ?? "2024-05-01T08:00:00Z");
  for (let i = 0; i < options.count; i++) {
    at += 60_000 + Math.floor(random() * 600_000);
    const [city, state, zip] = pick(random, PLACES);
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const unit = random() < 0.15 ? `, Unit ${1 + Math.floor(random() * 12)}` : "";
    const purchase = Math.round((150_000 + random() * 2_850_000) / 1000) * 1000;
    const submitted = new Date(at - 86_400_000 * (1 + Math.floor(random() * 30))).toISOString();
    const updated = new Date(at).toISOString();
    const note = pick(random, NOTES);
    yield {
      id: firestoreId(random),
      external_id: null,
      address: `${100 + Math.floor(random() * 9800)} ${pick(random, STREETS)} ${pick(random, SUFFIXES)}${unit}`,
      city,
      state,
      zip,
      status: options.status ?? pickStatus(random),
      submitted_by: { email: `${first}.${last}`.toLowerCase() + "@brokerage.example", name: `${first} ${last}` },
      submitted_at: submitted,
      purchase_price: random() < 0.1 ? null : purchase,
      list_price: random() < 0.3 ? null : Math.round(purchase * (1.02 + random() * 0.2)),
      notes: note === "" ? null : note,
      assigned_to: null,
      created_at: submitted,
      updated_at: updated,
    };
  }
}
