import { defineConfig, type Options } from "tsup";

/** Shared build: ESM (.js) + CJS (.cjs) + declarations for both; core and msw stay external. */
export function packageConfig(entry: Record<string, string>): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node22",
    platform: "node",
    splitting: false,
    treeshake: true,
    external: [/^@connect\//, "msw", /^msw\//, /^@aws-sdk\//, "ioredis"],
  };
  return defineConfig(options);
}
