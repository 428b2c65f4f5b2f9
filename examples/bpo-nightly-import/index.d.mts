/** Types of index.mjs, for the example's test. */
import type { DeadLetter } from "@connect/core";
import type { BpoImportProgress, BpoImportReport, Project } from "@connect/bpo";
import type { MemoryStoredProject, WrittenExport } from "@connect/bpo/testing";

export interface BpoNightlyImportOutcome {
  /** Yesterday's clean export and tonight's messy one, as the generator wrote them. */
  yesterday: WrittenExport;
  tonight: WrittenExport;
  /** Last night's import of yesterday's file. */
  first: BpoImportReport;
  /** Tonight's import of the latest file. */
  report: BpoImportReport;
  /** The same file imported again. */
  rerun: BpoImportReport;
  progress: BpoImportProgress[];
  deadLetters: DeadLetter[];
  store: MemoryStoredProject[];
  /** Leads BPO changed after tonight's export, read over REST. */
  sinceExport: Project[];
}

/** Deliver two nightly exports, import them with the conflict rule, print the report, then read changes over REST. */
export function runBpoNightlyImport(options?: { log?: (line: string) => void }): Promise<BpoNightlyImportOutcome>;
