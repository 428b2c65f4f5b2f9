/**
 * Participants and CCs (shared/vendors/authentisign.md §2): list a signing's participants,
 * add CCs (`POST /api/v1/ccs/batch`, JSON, camelCase as the schema declares).
 */
import { defineOperation } from "@connect/core";
import { z } from "zod";
import { AddCcsInput, decodeParticipant, Participant, SigningRef } from "../schemas.js";
import { externalIdHeader, signingPath } from "./signings.js";

/** `participants.list`: `GET /api/v1/signings/{signingId}/participants`. @public */
export const listParticipants = defineOperation({
  id: "participants.list",
  input: SigningRef,
  output: z.array(Participant),
  idempotent: true,
  request: ({ signingId }) => ({ method: "GET", path: signingPath(signingId, "/participants") }),
  response: (response) => (Array.isArray(response.body) ? response.body.map(decodeParticipant) : response.body),
});

/**
 * `ccs.add`: `POST /api/v1/ccs/batch`. `unsafe`: a CC added twice is listed twice and there is
 * no documented way to list CCs, so an unknown outcome is reported, not retried.
 * @public
 */
export const addCcs = defineOperation({
  id: "ccs.add",
  input: AddCcsInput,
  output: z.object({ signingId: z.string(), added: z.number().int() }),
  safety: "unsafe",
  request: ({ signingId, ccs, externalId }, ctx) => ({
    method: "POST",
    path: "/api/v1/ccs/batch",
    headers: externalIdHeader(externalId, ctx),
    body: { json: ccs.map((cc, i) => ({ signingId, displayOrder: i + 1, ...cc })) },
  }),
  response: (_response, { signingId, ccs }) => ({ signingId, added: ccs.length }),
});
