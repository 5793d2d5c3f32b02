import { HealthProbe } from "./ports";
import { ProbeTarget } from "../../release/outputs";

/** The slice of `fetch` the probe uses, so tests can pass a fake. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal: AbortSignal; redirect: "manual" },
) => Promise<{ status: number }>;

/** A readiness GET through the preview route: any 2xx is healthy; anything else, or no answer, is not. */
export function httpProbe(fetchFn: FetchLike, timeoutMs = 10_000): HealthProbe {
  return async (target: ProbeTarget) => {
    try {
      const response = await fetchFn(target.url, {
        method: "GET",
        headers: { ...target.headers },
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect (to a login page, say) is not the color answering its readiness endpoint.
        redirect: "manual",
      });
      const ok = response.status >= 200 && response.status < 300;
      return { ok, detail: `HTTP ${response.status}` };
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return { ok: false, detail: `no answer (${reason})` };
    }
  };
}
