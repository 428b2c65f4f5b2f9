/**
 * Package hygiene, on the built packages: what each tarball holds (`npm pack --dry-run`) and the
 * manifest fields a registry consumer relies on. Runs after `npm run build` (npm test builds).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const names = readdirSync(join(root, "packages")).filter((name) => existsSync(join(root, "packages", name, "src", "index.ts")));

interface Manifest {
  name: string;
  version: string;
  license?: string;
  keywords?: string[];
  engines?: { node?: string };
  sideEffects?: boolean;
  repository?: { type: string; url: string; directory: string };
  publishConfig?: { access?: string; provenance?: boolean };
  files?: string[];
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
}

const ALLOWED = /^(dist\/.+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map)|README\.md|CHANGELOG\.md|LICENSE|package\.json)$/;

describe.each(names)("@connect/%s", (name) => {
  const dir = join(root, "packages", name);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

  it("packs only dist, README, CHANGELOG, LICENSE and package.json, with every entry point", () => {
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", dir], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as Array<{
      files: Array<{ path: string }>;
    }>;
    const files = pack!.files.map((f) => f.path).sort();
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    const entries = Object.keys(manifest.exports).filter((k) => k !== "./package.json").map((k) => (k === "." ? "index" : k.slice(2)));
    const expected = ["README.md", "CHANGELOG.md", "LICENSE", "package.json", ...entries.flatMap((e) => [`dist/${e}.js`, `dist/${e}.cjs`, `dist/${e}.d.ts`, `dist/${e}.d.cts`])];
    expect(expected.filter((f) => !files.includes(f))).toEqual([]);
  });

  it("declares what a registry consumer relies on", () => {
    expect(manifest.name).toBe(`@connect/${name}`);
    expect(manifest.license).toBe("MIT");
    expect(manifest.keywords?.length).toBeGreaterThan(0);
    expect(manifest.engines).toEqual({ node: ">=22" });
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.files).toEqual(["dist", "CHANGELOG.md"]);
    expect(manifest.repository).toMatchObject({ type: "git", directory: `packages/${name}` });
    expect(manifest.publishConfig).toMatchObject({ access: "public", provenance: true });
    expect(manifest.exports["./package.json"]).toBe("./package.json");
    for (const [key, value] of Object.entries(manifest.exports)) {
      if (key === "./package.json") continue;
      const conditions = value as Record<string, Record<string, string>>;
      expect(Object.keys(conditions), key).toEqual(["import", "require"]);
      expect(Object.keys(conditions.import!)[0], `${key} import: types first`).toBe("types");
      expect(Object.keys(conditions.require!)[0], `${key} require: types first`).toBe("types");
    }
    const core = manifest.dependencies?.["@connect/core"];
    if (name !== "core") expect(core, "a caret range on core, never *").toMatch(/^\^\d+\.\d+\.\d+$/);
    for (const file of ["README.md", "CHANGELOG.md", "LICENSE"]) expect(existsSync(join(dir, file)), file).toBe(true);
  });
});
