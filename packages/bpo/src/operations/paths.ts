/**
 * Resource paths. Projects come from the spec; contacts, entities and documents are implied by
 * it ("Entities: projects, contacts, corporate entities, documents") without paths, so their
 * defaults are a guess that follows the projects pattern [uncertain] and every path can be
 * overridden with the client's `paths` option.
 */

/** Resource paths, below the base URL. @public */
export interface BpoPaths {
  projects: string;
  contacts: string;
  entities: string;
  documents: string;
}

/** Default resource paths. @public */
export const BPO_DEFAULT_PATHS: Readonly<BpoPaths> = Object.freeze({
  projects: "/api/v1/projects",
  contacts: "/api/v1/contacts",
  entities: "/api/v1/entities",
  documents: "/api/v1/documents",
});

/** The client params key under which a resource's path travels to its operations. @internal */
export function pathParam(resource: keyof BpoPaths): string {
  return `${resource}Path`;
}

/** The path of a resource from the operation context's params. @internal */
export function resourcePath(params: Readonly<Record<string, string>>, resource: keyof BpoPaths): string {
  return params[pathParam(resource)] ?? BPO_DEFAULT_PATHS[resource];
}

/** The page size from the client params. @internal */
export function pageSize(params: Readonly<Record<string, string>>): number {
  const size = Number(params.pageSize);
  return Number.isInteger(size) && size > 0 ? size : 100;
}
