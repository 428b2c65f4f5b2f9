/**
 * What the fake accepts in `POST /api/v1/signings`: ASP.NET-style form binding (keys are
 * case-insensitive, participants as `Participants[i].Field`, `Fields[name]`), the documented
 * required fields (Name, Participants with FirstName/LastName/Type), files as repeated `Files`
 * parts, and the refusals a real server makes (no files and no layout, a past expiration date,
 * a non-PDF file, a malformed email or callback URL).
 */
import { PARTICIPANT_TYPE } from "../assumptions.js";
import type { FakeFile, FakeParticipant, FakeSigning } from "./state.js";

type Draft = Omit<FakeSigning, "id" | "status" | "externalId" | "createdDate" | "lastModified" | "participants" | "ccs">;
type DraftParticipant = Omit<FakeParticipant, "id" | "signingId">;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PARTICIPANT_KEY = /^participants\[(\d+)\]\.([a-z]+)$/i;
const FIELD_KEY = /^fields\[([^\]]+)\]$/i;

/** Parse and check the create form. @internal */
export async function parseCreateForm(form: FormData, now: number): Promise<{ signing: Draft; participants: DraftParticipant[] } | { errors: string[] }> {
  const errors: string[] = [];
  const scalars = new Map<string, string>();
  const people = new Map<number, Map<string, string>>();
  const fields: Record<string, string> = {};
  const files: FakeFile[] = [];

  for (const [key, value] of form.entries()) {
    if (key.toLowerCase() === "files") {
      if (typeof value === "string") {
        errors.push("Files must be file parts.");
        continue;
      }
      const contentType = value.type || "application/octet-stream";
      if (contentType !== "application/pdf") errors.push(`Files: ${value.name} is ${contentType}; only PDF files are supported.`);
      files.push({ name: value.name, contentType, bytes: Buffer.from(await value.arrayBuffer()) });
      continue;
    }
    if (typeof value !== "string") continue;
    const participant = PARTICIPANT_KEY.exec(key);
    if (participant) {
      const index = Number(participant[1]);
      if (!people.has(index)) people.set(index, new Map());
      people.get(index)!.set(participant[2]!.toLowerCase(), value);
      continue;
    }
    const field = FIELD_KEY.exec(key);
    if (field) {
      fields[field[1]!] = value;
      continue;
    }
    scalars.set(key.toLowerCase(), value);
  }

  const name = scalars.get("name")?.trim();
  if (!name) errors.push("Name is required.");
  const indexes = [...people.keys()].sort((a, b) => a - b);
  if (indexes.length === 0) errors.push("Participants is required.");
  indexes.forEach((index, position) => {
    if (index !== position) errors.push(`Participants[${position}] is missing (indexes must be 0-based and contiguous).`);
  });
  const participants: DraftParticipant[] = indexes.map((index, position) => {
    const p = people.get(index)!;
    const get = (k: string): string | null => p.get(k)?.trim() || null;
    const at = `Participants[${index}]`;
    if (!get("firstname")) errors.push(`${at}.FirstName is required.`);
    if (!get("lastname")) errors.push(`${at}.LastName is required.`);
    const type = Number(get("type"));
    if (get("type") === null) errors.push(`${at}.Type is required.`);
    else if (type !== PARTICIPANT_TYPE.signer && type !== PARTICIPANT_TYPE.viewer) errors.push(`${at}.Type ${get("type")} is not a valid participant type.`);
    const email = get("email");
    if (email !== null && !EMAIL.test(email)) errors.push(`${at}.Email '${email}' is not a valid e-mail address.`);
    const integer = (k: string, fallback: number): number => {
      const raw = get(k);
      if (raw === null) return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) errors.push(`${at}.${k} '${raw}' is not a positive integer.`);
      return n;
    };
    return {
      firstName: get("firstname") ?? "",
      middleName: get("middlename"),
      lastName: get("lastname") ?? "",
      email,
      participantRole: get("participantrole"),
      type,
      displayOrder: integer("displayorder", position + 1),
      signerGroup: integer("signergroup", 1),
      signingPin: get("signingpin"),
      customInvitationSubject: get("custominvitationsubject"),
      customInvitationMessage: get("custominvitationmessage"),
      externalId: get("externalid"),
      language: get("language"),
      status: "pending",
      viewedDate: null,
      signedDate: null,
      declinedDate: null,
      declineReason: null,
    };
  });

  const layoutId = scalars.get("layoutid") ?? null;
  if (files.length === 0 && !layoutId) errors.push("Files is required when no LayoutId is given.");
  const bool = (k: string, label: string): boolean | undefined => {
    const raw = scalars.get(k);
    if (raw === undefined) return undefined;
    if (!/^(true|false)$/i.test(raw)) errors.push(`${label} '${raw}' is not a boolean.`);
    return raw.toLowerCase() === "true";
  };
  const expirationDate = scalars.get("expirationdate") ?? null;
  if (expirationDate !== null) {
    const at = Date.parse(expirationDate);
    if (Number.isNaN(at)) errors.push(`ExpirationDate '${expirationDate}' is not a date.`);
    else if (at <= now) errors.push("ExpirationDate must be in the future.");
  }
  const callbackUrl = scalars.get("callbackurl") ?? null;
  if (callbackUrl !== null && !URL.canParse(callbackUrl)) errors.push(`CallbackUrl '${callbackUrl}' is not an absolute URL.`);
  const small = (k: string, label: string, max: number): number | null => {
    const raw = scalars.get(k);
    if (raw === undefined) return null;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > max) errors.push(`${label} '${raw}' is out of range.`);
    return n;
  };
  const reminderDay = small("reminderday", "ReminderDay", 365);
  const reminderHour = small("reminderhour", "ReminderHour", 23);
  const isOrdered = bool("isordered", "IsOrdered") ?? false;
  bool("applylayout", "ApplyLayout");
  if (errors.length > 0) return { errors };
  return {
    signing: {
      name: name!,
      isOrdered,
      transactionId: scalars.get("transactionid") ?? null,
      callbackUrl,
      expirationDate,
      files,
      fields,
      layoutId,
      reminderDay,
      reminderHour,
    },
    participants,
  };
}
