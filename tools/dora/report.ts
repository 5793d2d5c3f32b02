import { DoraMetrics } from "./metrics";

/** What the renderers need besides the figures. */
export interface ReportContext {
  readonly stack: string;
  /** Where the history came from: the `--history` file, or the Automation API. */
  readonly source: string;
  /** The `--svg` file, linked from the Markdown and named in the JSON. */
  readonly chart: string | undefined;
}

export interface Report {
  readonly metrics: DoraMetrics;
  readonly context: ReportContext;
}
