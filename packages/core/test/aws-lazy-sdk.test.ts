import { describe, expect, it } from "vitest";
import { lazyAwsSdk } from "../src/aws/index.js";

class FakeClient {
  destroyed = 0;
  destroy(): void {
    this.destroyed += 1;
  }
}
const module = { FakeClient };

describe("lazyAwsSdk", () => {
  it("imports the SDK once, on first use, and builds one client from it", async () => {
    let imports = 0;
    const sdk = lazyAwsSdk({ vendor: "acme", packageName: "@aws-sdk/client-acme", load: async () => (imports += 1, module), create: (aws) => new aws.FakeClient() });
    expect(imports).toBe(0);
    expect(sdk.loaded).toBeUndefined();
    const [a, b] = await Promise.all([sdk.load(), sdk.get()]);
    expect(imports).toBe(1);
    expect(a.client).toBe(b.client);
    expect(sdk.get()).toBe(sdk.loaded);
  });

  it("destroys the client it built even when destroy() came before the load finished, and never the host's own", async () => {
    const built = lazyAwsSdk({ vendor: "acme", packageName: "@aws-sdk/client-acme", load: async () => module, create: (aws) => new aws.FakeClient() });
    const pending = built.load();
    built.destroy();
    expect((await pending).client.destroyed).toBe(1);
    const own = new FakeClient();
    const hosts = lazyAwsSdk({ vendor: "acme", packageName: "@aws-sdk/client-acme", load: async () => module, create: () => new FakeClient(), own });
    expect((await hosts.load()).client).toBe(own);
    hosts.destroy();
    expect(own.destroyed).toBe(0);
  });

  it("fails a load with a typed error naming the package, and tries again on the next use", async () => {
    let attempts = 0;
    const sdk = lazyAwsSdk({
      vendor: "acme",
      packageName: "@aws-sdk/client-acme",
      load: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("Cannot find package '@aws-sdk/client-acme'");
        return module;
      },
      create: (aws) => new aws.FakeClient(),
    });
    await expect(sdk.load()).rejects.toMatchObject({ name: "IntegrationError", vendor: "acme", vendorCode: "SDK_NOT_LOADED", retryable: false, mayHaveReachedVendor: false, message: "acme: could not load @aws-sdk/client-acme (Cannot find package '@aws-sdk/client-acme'); is the install complete?" });
    await expect(sdk.load()).resolves.toMatchObject({ aws: module });
    expect(attempts).toBe(2);
  });
});
