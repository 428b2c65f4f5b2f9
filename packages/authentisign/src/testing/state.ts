/**
 * The fake's memory: signings with their participants, files and CCs, the wire shape it
 * answers with (assumptions.ts: exactly `SigningWire`), and the participant lifecycle
 * (invited in signer-group order, viewed, signed, declined) without any HTTP.
 */
import { randomUUID } from "node:crypto";
import { PARTICIPANT_TYPE, SIGNING_STATUS_ID, type CallbackEventType, type ParticipantStatus, type SigningStatus } from "../assumptions.js";

/** A participant the fake stores. @public */
export interface FakeParticipant {
  id: string;
  signingId: string;
  firstName: string;
  middleName: string | null;
  lastName: string;
  email: string | null;
  participantRole: string | null;
  type: number;
  displayOrder: number;
  signerGroup: number;
  signingPin: string | null;
  customInvitationSubject: string | null;
  customInvitationMessage: string | null;
  externalId: string | null;
  language: string | null;
  status: ParticipantStatus;
  viewedDate: string | null;
  signedDate: string | null;
  declinedDate: string | null;
  declineReason: string | null;
}

/** An uploaded file. @public */
export interface FakeFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** A CC added through `ccs/batch`. @public */
export interface FakeCc {
  firstName: string;
  lastName: string;
  email: string;
  displayOrder: number;
  externalId: string | null;
  saveToContacts: boolean;
}

/** A signing the fake stores. @public */
export interface FakeSigning {
  id: string;
  name: string;
  status: Exclude<SigningStatus, "unknown">;
  isOrdered: boolean;
  transactionId: string | null;
  callbackUrl: string | null;
  externalId: string | null;
  expirationDate: string | null;
  createdDate: string;
  lastModified: string;
  participants: FakeParticipant[];
  files: FakeFile[];
  ccs: FakeCc[];
  fields: Record<string, string>;
  layoutId: string | null;
  reminderDay: number | null;
  reminderHour: number | null;
}

/** A state change the fake reports as a callback. @public */
export interface FakeTransition {
  type: CallbackEventType;
  participant?: FakeParticipant | undefined;
}

/** The wire body of a participant (what GET answers). @internal */
export function participantWire(p: FakeParticipant): Record<string, unknown> {
  const { signingPin: _pin, ...rest } = p;
  return rest;
}

/** The wire body of a signing (the `SigningWire` assumption). @internal */
export function signingWire(s: FakeSigning): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    statusId: SIGNING_STATUS_ID[s.status],
    isOrdered: s.isOrdered,
    transactionId: s.transactionId,
    callbackUrl: s.callbackUrl,
    externalId: s.externalId,
    expirationDate: s.expirationDate,
    createdDate: s.createdDate,
    lastModified: s.lastModified,
    participants: s.participants.map(participantWire),
  };
}

/** A new id, uuid-shaped as Authentisign's are. @internal */
export const newId = (): string => randomUUID();

const ACTIVE: ReadonlySet<ParticipantStatus> = new Set(["sent", "viewed"]);
const isSigner = (p: FakeParticipant): boolean => p.type === PARTICIPANT_TYPE.signer;

/** Whether the signing still collects signatures. @internal */
export function isOpen(s: FakeSigning): boolean {
  return s.status === "sent" || s.status === "in_progress";
}

/** Invite the next signer group (or everyone when not ordered); viewers are invited at once. @internal */
export function inviteNext(s: FakeSigning): void {
  const waiting = s.participants.filter((p) => isSigner(p) && p.status === "pending");
  if (s.isOrdered && waiting.length > 0) {
    const busy = s.participants.some((p) => isSigner(p) && ACTIVE.has(p.status));
    if (busy) return;
    const group = Math.min(...waiting.map((p) => p.signerGroup));
    for (const p of waiting) if (p.signerGroup === group) p.status = "sent";
  } else {
    for (const p of waiting) p.status = "sent";
  }
  for (const p of s.participants) if (!isSigner(p) && p.status === "pending") p.status = "sent";
}

/** Find a participant by email (case-insensitive). @internal */
export function participantByEmail(s: FakeSigning, email: string): FakeParticipant | undefined {
  const wanted = email.toLowerCase();
  return s.participants.find((p) => p.email?.toLowerCase() === wanted);
}

/** Apply send-signing. @internal */
export function applySend(s: FakeSigning, at: string): FakeTransition[] {
  s.status = "sent";
  s.lastModified = at;
  inviteNext(s);
  return [{ type: "signing.sent" }];
}

function requireActive(s: FakeSigning, email: string, action: string): FakeParticipant {
  if (!isOpen(s)) throw new Error(`authentisign fake: cannot ${action} on signing ${s.id}: it is ${s.status}`);
  const p = participantByEmail(s, email);
  if (!p) throw new Error(`authentisign fake: signing ${s.id} has no participant ${email}`);
  if (!ACTIVE.has(p.status)) throw new Error(`authentisign fake: participant ${email} of signing ${s.id} is ${p.status}, not invited to sign now`);
  return p;
}

/** A participant opens the signing. @internal */
export function applyView(s: FakeSigning, email: string, at: string): FakeTransition[] {
  const p = requireActive(s, email, "view");
  if (p.status === "viewed") return [];
  p.status = "viewed";
  p.viewedDate = at;
  s.status = "in_progress";
  s.lastModified = at;
  return [{ type: "participant.viewed", participant: p }];
}

/** A participant signs (opening it first if needed); the last signature completes the signing. @internal */
export function applySign(s: FakeSigning, email: string, at: string): FakeTransition[] {
  const p = requireActive(s, email, "sign");
  if (!isSigner(p)) throw new Error(`authentisign fake: participant ${email} of signing ${s.id} is not a signer`);
  const out = p.status === "sent" ? applyView(s, email, at) : [];
  p.status = "signed";
  p.signedDate = at;
  s.lastModified = at;
  out.push({ type: "participant.signed", participant: p });
  if (s.participants.filter(isSigner).every((x) => x.status === "signed")) {
    s.status = "completed";
    out.push({ type: "signing.completed" });
  } else {
    inviteNext(s);
  }
  return out;
}

/** A participant declines: the signing is declined. @internal */
export function applyDecline(s: FakeSigning, email: string, reason: string, at: string): FakeTransition[] {
  const p = requireActive(s, email, "decline");
  p.status = "declined";
  p.declinedDate = at;
  p.declineReason = reason;
  s.status = "declined";
  s.lastModified = at;
  return [{ type: "participant.declined", participant: p }, { type: "signing.declined", participant: p }];
}

/** The signing passes its expiration date. @internal */
export function applyExpire(s: FakeSigning, at: string): FakeTransition[] {
  if (!isOpen(s)) throw new Error(`authentisign fake: cannot expire signing ${s.id}: it is ${s.status}`);
  s.status = "expired";
  s.lastModified = at;
  return [{ type: "signing.expired" }];
}

/** Soft delete. @internal */
export function applyDelete(s: FakeSigning, at: string): FakeTransition[] {
  if (s.status === "deleted") return [];
  s.status = "deleted";
  s.lastModified = at;
  return [{ type: "signing.deleted" }];
}
