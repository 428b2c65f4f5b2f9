// Every exported symbol of every package entry point has a doc comment: read with the
// TypeScript compiler API from the built declarations (the surface users import).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const files = [];
for (const name of readdirSync(join(root, "packages"))) {
  const dir = join(root, "packages", name);
  if (!existsSync(join(dir, "dist", "index.d.ts"))) continue;
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  for (const key of Object.keys(manifest.exports)) {
    if (key === "./package.json") continue;
    files.push({ label: `${manifest.name}${key === "." ? "" : key.slice(1)}`, path: join(dir, "dist", `${key === "." ? "index" : key.slice(2)}.d.ts`) });
  }
}

const program = ts.createProgram(
  files.map((f) => f.path),
  { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2023 },
);
const checker = program.getTypeChecker();
const missing = [];
let count = 0;
for (const file of files) {
  const source = program.getSourceFile(file.path);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) {
    missing.push(`${file.label}: could not read ${file.path}`);
    continue;
  }
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    count += 1;
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    // A third-party type passed through (libphonenumber's CountryCode) is documented where it lives.
    if ((symbol.declarations ?? []).every((d) => d.getSourceFile().fileName.includes("/node_modules/"))) continue;
    const documented = symbol.getDocumentationComment(checker).some((part) => part.text.trim() !== "");
    if (!documented) missing.push(`${file.label}: ${exported.getName()}`);
  }
}
if (missing.length > 0) {
  console.error(`check-docs: ${missing.length} exported symbols have no doc comment:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-docs: ${count} exported symbols across ${files.length} entry points, all documented`);
