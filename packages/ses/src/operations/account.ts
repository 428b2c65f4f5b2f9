/**
 * The account-level suppression list (Get / Put / Delete / List with paging) and GetAccount
 * (sending state, quotas, sandbox), shared/vendors/ses.md §5–§6.
 */
import { defineOperation } from "@connect/core";
import { z } from "zod";
import { ListSuppressionsInput, PutSuppressionInput, SesAccount, SuppressedDestination, SuppressionAddressInput, SuppressionPage } from "../schemas.js";
import type { LazySesSdk } from "../sdk.js";
import { signal } from "./emails.js";

const iso = (value: Date | string | undefined): string => (value instanceof Date ? value.toISOString() : typeof value === "string" ? value : "");

/** Build the suppression-list and account operations around one SDK client. @internal */
export function createAccountOperations(sdk: LazySesSdk) {
  const getSuppression = defineOperation({
    id: "suppressions.get",
    input: SuppressionAddressInput,
    output: SuppressedDestination,
    idempotent: true,
    execute: async ({ email }, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(new aws.GetSuppressedDestinationCommand({ EmailAddress: email }), signal(ctx));
      const d = out.SuppressedDestination;
      return {
        email: d?.EmailAddress,
        reason: d?.Reason,
        lastUpdateTime: iso(d?.LastUpdateTime),
        ...(d?.Attributes?.MessageId ? { messageId: d.Attributes.MessageId } : {}),
        ...(d?.Attributes?.FeedbackId ? { feedbackId: d.Attributes.FeedbackId } : {}),
      };
    },
  });

  const putSuppression = defineOperation({
    id: "suppressions.put",
    input: PutSuppressionInput,
    output: z.object({}),
    // An upsert: the same call twice leaves the same state.
    idempotent: true,
    execute: async ({ email, reason }, ctx) => {
      const { client, aws } = await sdk.get();
      await client.send(new aws.PutSuppressedDestinationCommand({ EmailAddress: email, Reason: reason }), signal(ctx));
      return {};
    },
  });

  const deleteSuppression = defineOperation({
    id: "suppressions.delete",
    input: SuppressionAddressInput,
    output: z.object({}),
    // SES answers a repeat NotFoundException. After an attempt that may have reached SES (a timeout,
    // a 5xx), the retry looks first: an address no longer listed means that attempt removed it.
    safety: "checkable",
    execute: async ({ email }, ctx) => {
      const { client, aws } = await sdk.get();
      await client.send(new aws.DeleteSuppressedDestinationCommand({ EmailAddress: email }), signal(ctx));
      return {};
    },
    check: async ({ email }, ctx) => {
      const { client, aws } = await sdk.get();
      try {
        await client.send(new aws.GetSuppressedDestinationCommand({ EmailAddress: email }), signal(ctx));
        return undefined;
      } catch (error) {
        if ((error as { name?: unknown })?.name === "NotFoundException") return {};
        throw error;
      }
    },
  });

  const listSuppressions = defineOperation({
    id: "suppressions.list",
    input: ListSuppressionsInput,
    output: SuppressionPage,
    idempotent: true,
    execute: async (input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(
        new aws.ListSuppressedDestinationsCommand({
          ...(input.reasons ? { Reasons: input.reasons } : {}),
          ...(input.startDate ? { StartDate: input.startDate } : {}),
          ...(input.endDate ? { EndDate: input.endDate } : {}),
          ...(input.pageSize ? { PageSize: input.pageSize } : {}),
          ...(input.nextToken ? { NextToken: input.nextToken } : {}),
        }),
        signal(ctx),
      );
      return {
        items: (out.SuppressedDestinationSummaries ?? []).map((s) => ({ email: s.EmailAddress, reason: s.Reason, lastUpdateTime: iso(s.LastUpdateTime) })),
        ...(out.NextToken ? { nextToken: out.NextToken } : {}),
      };
    },
  });

  const getAccount = defineOperation({
    id: "account.get",
    input: z.object({}),
    output: SesAccount,
    idempotent: true,
    execute: async (_input, ctx) => {
      const { client, aws } = await sdk.get();
      const out = await client.send(new aws.GetAccountCommand({}), signal(ctx));
      return {
        sendingEnabled: out.SendingEnabled ?? false,
        productionAccessEnabled: out.ProductionAccessEnabled ?? false,
        ...(out.EnforcementStatus !== undefined ? { enforcementStatus: out.EnforcementStatus } : {}),
        sendQuota: { max24HourSend: out.SendQuota?.Max24HourSend ?? 0, maxSendRate: out.SendQuota?.MaxSendRate ?? 0, sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0 },
        suppressedReasons: out.SuppressionAttributes?.SuppressedReasons ?? [],
      };
    },
  });

  return { getSuppression, putSuppression, deleteSuppression, listSuppressions, getAccount };
}
