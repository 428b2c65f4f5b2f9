/**
 * SQS's error vocabulary on the AWS JSON 1.0 wire (shared/vendors/sqs.md §1, §2): a status, the
 * `x-amzn-query-error: <legacy code>;Sender|Receiver` header (some JS SDK releases crash without
 * it, so it is always sent) and `{"__type":"com.amazonaws.sqs#<Name>","message":…}`.
 */
import { randomUUID } from "node:crypto";
import { HttpResponse } from "msw";

/** Errors the fake answers with (sqs.md §2), plus its own `NotImplementedByFake`. @public */
export type SqsErrorName =
  | "QueueDoesNotExist"
  | "QueueNameExists"
  | "QueueDeletedRecently"
  | "PurgeQueueInProgress"
  | "ReceiptHandleIsInvalid"
  | "MessageNotInflight"
  | "InvalidAttributeName"
  | "InvalidAttributeValue"
  | "InvalidMessageContents"
  | "EmptyBatchRequest"
  | "TooManyEntriesInBatchRequest"
  | "BatchEntryIdsNotDistinct"
  | "BatchRequestTooLong"
  | "InvalidBatchEntryId"
  | "OverLimit"
  | "RequestThrottled"
  | "UnsupportedOperation"
  | "InvalidAddress"
  | "InvalidSecurity"
  | "ResourceNotFoundException"
  | "KmsThrottled"
  | "InvalidParameterValue"
  | "MissingParameter"
  | "InternalFailure"
  | "ServiceUnavailable"
  | "NotImplementedByFake";

interface ErrorSpec {
  legacy: string;
  status: number;
  message: string;
}

const Q = "AWS.SimpleQueueService.";

// Legacy codes and statuses: Smithy `awsQueryError` traits (sqs.md §2).
const SPECS: Record<SqsErrorName, ErrorSpec> = {
  QueueDoesNotExist: { legacy: `${Q}NonExistentQueue`, status: 400, message: "The specified queue does not exist." },
  QueueNameExists: { legacy: "QueueAlreadyExists", status: 400, message: "A queue already exists with the same name and a different value for an attribute." },
  QueueDeletedRecently: { legacy: `${Q}QueueDeletedRecently`, status: 400, message: "You must wait 60 seconds after deleting a queue before you can create another queue with the same name." },
  PurgeQueueInProgress: { legacy: `${Q}PurgeQueueInProgress`, status: 403, message: "Only one PurgeQueue operation on the queue is allowed every 60 seconds." },
  ReceiptHandleIsInvalid: { legacy: "ReceiptHandleIsInvalid", status: 404, message: "The input receipt handle is not a valid receipt handle." },
  MessageNotInflight: { legacy: `${Q}MessageNotInflight`, status: 400, message: "The message referred to isn't in flight." },
  InvalidAttributeName: { legacy: "InvalidAttributeName", status: 400, message: "The specified attribute doesn't exist." },
  InvalidAttributeValue: { legacy: "InvalidAttributeValue", status: 400, message: "A queue attribute value is invalid." },
  InvalidMessageContents: { legacy: "InvalidMessageContents", status: 400, message: "The message contains characters outside the allowed set." },
  EmptyBatchRequest: { legacy: `${Q}EmptyBatchRequest`, status: 400, message: "There should be at least one entry in the request." },
  TooManyEntriesInBatchRequest: { legacy: `${Q}TooManyEntriesInBatchRequest`, status: 400, message: "Maximum number of entries per request are 10." },
  BatchEntryIdsNotDistinct: { legacy: `${Q}BatchEntryIdsNotDistinct`, status: 400, message: "Two or more batch entries in the request have the same Id." },
  BatchRequestTooLong: { legacy: `${Q}BatchRequestTooLong`, status: 400, message: "Batch requests cannot be longer than 1048576 bytes." },
  InvalidBatchEntryId: { legacy: `${Q}InvalidBatchEntryId`, status: 400, message: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long." },
  OverLimit: { legacy: "OverLimit", status: 403, message: "The maximum number of in flight messages is reached." },
  RequestThrottled: { legacy: "RequestThrottled", status: 403, message: "Request is throttled." },
  UnsupportedOperation: { legacy: `${Q}UnsupportedOperation`, status: 400, message: "Error code 400. This operation is not supported." },
  InvalidAddress: { legacy: "InvalidAddress", status: 404, message: "The specified ID is invalid." },
  InvalidSecurity: { legacy: "InvalidSecurity", status: 403, message: "The request was not made over HTTPS or did not use SigV4 for signing." },
  ResourceNotFoundException: { legacy: "ResourceNotFoundException", status: 404, message: "The resource does not exist." },
  KmsThrottled: { legacy: "KMS.ThrottlingException", status: 400, message: "The request was denied due to request throttling." },
  InvalidParameterValue: { legacy: "InvalidParameterValue", status: 400, message: "A parameter value is invalid." },
  MissingParameter: { legacy: "MissingParameter", status: 400, message: "A required parameter is missing." },
  InternalFailure: { legacy: "InternalFailure", status: 500, message: "The request processing has failed because of an unknown error, exception or failure." },
  ServiceUnavailable: { legacy: "ServiceUnavailable", status: 503, message: "The request has failed due to a temporary failure of the server." },
  NotImplementedByFake: { legacy: "NotImplementedByFake", status: 501, message: "This operation is not implemented by the SQS fake." },
};

/** An SQS error raised inside an operation and turned into a response by the dispatcher. @internal */
export class SqsFault extends Error {
  /** The `__type` tail, e.g. `QueueDoesNotExist`. */
  readonly type: SqsErrorName;
  /** HTTP status. */
  readonly status: number;
  /** The legacy query code of the `x-amzn-query-error` header. */
  readonly legacyCode: string;
  constructor(type: SqsErrorName, message?: string) {
    const spec = SPECS[type];
    super(message ?? spec.message);
    this.name = "SqsFault";
    this.type = type;
    this.status = spec.status;
    this.legacyCode = spec.legacy;
  }
  /** `Sender` for 4xx, `Receiver` for 5xx, as the query-error header says. */
  get party(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

/** Shorthand for throwing a fault. @internal */
export function fault(type: SqsErrorName, message?: string): SqsFault {
  return new SqsFault(type, message);
}

/** `InvalidParameterValue` in AWS's "Value X for parameter Y is invalid. Reason: Z." form. @internal */
export function invalidParameter(parameter: string, value: unknown, reason: string): SqsFault {
  return fault("InvalidParameterValue", `Value ${typeof value === "string" ? value : JSON.stringify(value)} for parameter ${parameter} is invalid. Reason: ${reason}`);
}

/** `MissingParameter` naming the parameter. @internal */
export function missingParameter(parameter: string): SqsFault {
  return fault("MissingParameter", `The request must contain the parameter ${parameter}.`);
}

const JSON_10 = "application/x-amz-json-1.0";

/** The wire form of a fault. @internal */
export function faultResponse(error: SqsFault): Response {
  return HttpResponse.json(
    { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
    {
      status: error.status,
      headers: { "content-type": JSON_10, "x-amzn-requestid": randomUUID(), "x-amzn-query-error": `${error.legacyCode};${error.party}` },
    },
  );
}

/** A 200 with a JSON 1.0 body. @internal */
export function okResponse(body: Record<string, unknown>): Response {
  return HttpResponse.json(body as never, { status: 200, headers: { "content-type": JSON_10, "x-amzn-requestid": randomUUID() } });
}

/** The legacy code, status and party of an error name, for batch `Failed` entries and tests. @internal */
export function errorSpec(type: SqsErrorName): ErrorSpec {
  return SPECS[type];
}
