/**
 * A minimal client of the Unleash Admin API, for the dynamic providers next to it. No runtime imports: a
 * dynamic provider is serialized with everything its functions reach (module scope included) into the
 * resource's `__provider` input, so what they reach must be small and hold no secret. The admin token is
 * always an argument, from the resource's (secret) inputs, never captured here.
 *
 * API reference: https://docs.getunleash.io/reference/api/unleash (routes as served by unleash-server 7.5:
 * dist/lib/features/feature-toggle/feature-toggle-controller.js, routes/admin-api/api-token.js).
 */

/** How a provider reaches Unleash: the base URL (everything before `/api`) and an admin API token. */
export interface AdminConnection {
  readonly adminUrl: string;
  readonly adminToken: string;
}

/** Just the connection out of a resource's recorded state (read and delete get only that state). */
export function connectionOf(state: AdminConnection): AdminConnection {
  return { adminUrl: state.adminUrl, adminToken: state.adminToken };
}

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Statuses worth retrying: Unleash (or the load balancer in front of it) is starting or briefly gone. */
const TRANSIENT = [502, 503, 504];
/** A fresh environment's first `pulumi up` reaches Unleash while its pods and ALB targets still come up. */
const RETRY_FOR_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One Admin API call. Retries network errors and 502/503/504 for up to five minutes; any other status is
 * returned for the caller to judge (404 often means "gone", which is not an error for read and delete).
 */
export async function adminRequest(
  connection: AdminConnection,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<AdminResponse> {
  const url = `${connection.adminUrl.replace(/\/+$/, "")}${path}`;
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const response = await fetch(url, {
        method,
        headers: {
          Authorization: connection.adminToken,
          Accept: "application/json",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!TRANSIENT.includes(response.status)) {
        return { status: response.status, body: parseBody(text) };
      }
      failure = `HTTP ${response.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`Unleash ${method} ${path} failed after ${attempt} attempts: ${failure}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)));
  }
}

/** Like `adminRequest`, but any status outside `expected` is an error naming the call and Unleash's answer. */
export async function adminCall(
  connection: AdminConnection,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body: unknown,
  expected: readonly number[],
): Promise<AdminResponse> {
  const response = await adminRequest(connection, method, path, body);
  if (!expected.includes(response.status)) {
    const detail = describeBody(response.body);
    throw new Error(`Unleash ${method} ${path} answered ${response.status}${detail ? `: ${detail}` : ""}`);
  }
  return response;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Unleash errors carry `message` (and `details[].message`); never echo headers, which hold the token. */
function describeBody(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 300);
  if (typeof body !== "object" || body === null) return "";
  const { message, details } = body as { message?: unknown; details?: { message?: unknown }[] };
  const extra = Array.isArray(details)
    ? details.map((detail) => String(detail.message ?? "")).join("; ")
    : "";
  return [typeof message === "string" ? message : "", extra].filter((part) => part !== "").join(" — ");
}

/** Path segment, escaped: flag, project and environment names are URL-friendly, but never trust that. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
