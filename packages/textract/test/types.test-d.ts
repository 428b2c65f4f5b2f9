import { expectTypeOf, test } from "vitest";
import { createTextractClient, type ParsedPage, type StartAnalysisOutput, type SurveyFields } from "../src/index.js";

const textract = createTextractClient({ region: "us-east-1" });

test("built-in document types give typed fields", async () => {
  const survey = await textract.analyses.extract("job", "SURVEY");
  expectTypeOf(survey.data).toEqualTypeOf<SurveyFields>();
  expectTypeOf(survey.data.LOT_SIZE_SQFT).toEqualTypeOf<number | undefined>();
  expectTypeOf(survey.data.EASEMENTS).toEqualTypeOf<string[] | undefined>();
  const permit = await textract.analyses.extract("job", "PERMIT_APPLICATION");
  expectTypeOf(permit.data.OWNER_BUILDER).toEqualTypeOf<boolean | undefined>();
});

test("operations take typed input", () => {
  expectTypeOf(textract.analyses.start).returns.resolves.toEqualTypeOf<StartAnalysisOutput>();
  expectTypeOf(textract.analyses.parsed("job")).toEqualTypeOf<AsyncGenerator<ParsedPage>>();
  // @ts-expect-error features must be Textract feature types
  void textract.analyses.start({ document: { bucket: "b", name: "n" }, features: ["OCR"] });
  // @ts-expect-error a document needs a bucket
  void textract.analyses.start({ document: { name: "n" }, features: ["FORMS"] });
});
