import { NotFoundError, ValidationError } from "@connect/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, requestLines, setup, type Harness } from "../helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await setup();
});
afterEach(async () => {
  await h.close();
});

describe("documents.list / documents.listAll", () => {
  it("lists one project's documents page by page", async () => {
    const project = h.fake.addProject();
    const other = h.fake.addProject();
    const docs = ["survey.pdf", "title-report.pdf", "photos.zip"].map((name) => h.fake.addDocument({ project_id: project.id, name, type: "application/pdf", size_bytes: 1024 }));
    h.fake.addDocument({ project_id: other.id, name: "other.pdf" });

    const rows = await collect(h.client.documents.listAll({ projectId: project.id, limit: 2 }));
    expect(rows).toEqual(docs);
    expect(requestLines(h.server)).toEqual([
      `GET /api/v1/documents?project_id=${project.id}&limit=2&offset=0`,
      `GET /api/v1/documents?project_id=${project.id}&limit=2&offset=2`,
    ]);
  });

  it("maps an unknown project (404 NOT_FOUND) to NotFoundError", async () => {
    const error = await h.client.documents.list({ projectId: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, vendorCode: "NOT_FOUND", vendorMessage: "Project nope not found", operation: "documents.list" });
  });

  it("requires projectId before any I/O", async () => {
    const error = await h.client.documents.list({} as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["projectId"]);
    expect(h.server.requests).toHaveLength(0);
  });
});
