import { describe, expect, it } from "vitest";
import { runTextractSurvey } from "./index.mjs";

describe("example: textract survey", () => {
  it("starts an analysis, verifies the signed SNS completion and prints typed survey fields", async () => {
    const lines: string[] = [];
    const outcome = await runTextractSurvey({ log: (line) => lines.push(line) });

    expect(outcome.notification).toMatchObject({ jobId: outcome.jobId, status: "SUCCEEDED", api: "StartDocumentAnalysis", jobTag: "tenant-t_123:doc-survey_42" });
    expect(outcome.survey.status).toBe("SUCCEEDED");
    expect(outcome.survey.data).toEqual({
      PARCEL_NUMBER: "042-118-07",
      LOT_SIZE_SQFT: 10890,
      FLOOD_ZONE: "AE",
      FRONT_SETBACK_FT: 25,
      SIDE_SETBACK_FT: 7.5,
      REAR_SETBACK_FT: 20,
      EASEMENTS: ["10' utility easement (rear)", "5' drainage easement", "access easement"],
      OWNER: "Jordan Reyes",
      SURVEY_DATE: "2024-03-14",
    });
    expect(outcome.survey.needsReview).toEqual(["REAR_SETBACK_FT"]);
    expect(lines[0]).toBe(`started analysis ${outcome.jobId.slice(0, 12)}… for s3://acme-uploads/loans/ln_42/survey.pdf`);
    expect(lines).toContain("results: SUCCEEDED, average confidence 90.97");
    expect(lines).toContain("  REAR_SETBACK_FT   20   ⚠ review");
  });
});
