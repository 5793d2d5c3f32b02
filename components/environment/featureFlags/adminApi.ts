/**
 * A minimal client of the Unleash Admin API, for the dynamic providers next to it. No runtime imports: a
 * dynamic provider is serialized with everything its functions reach (module scope included) into the
 * resource's `__provider` input, so what they reach must be small and hold no secret. The admin token is
 * always an argument, from the resource's (secret) inputs, never captured here.
 *
 * API reference: https://docs.getunleash.io/reference/api/unleash (routes as served by unleash-server 7.5:
 * dist/lib/features/feature-toggle/feature-toggle-controller.js, routes/admin-api/api-token.js).
 *
 * Requests go out through Node's `http`/`https` modules, loaded inside the call (`import()`): the closure
 * serializer writes a built-in module as `require(...)` and never captures `require` itself
 * (@pulumi/pulumi runtime/closure/createClosure.js, parseFunction.js). Node's global `fetch` has no option to
 * connect to one host while presenting another name in TLS SNI and `Host`, which `connectHost` needs.
 */

/** How a provider reaches Unleash: the base URL (everything before `/api`) and an admin API token. */
export interface AdminConnection {
  readonly adminUrl: string;
  readonly adminToken: string;
  /**
   * Where to open the connection when `adminUrl`'s host has no DNS record yet: a self-hosted Unleash's ALB
   * (its Ingress's `status.loadBalancer.ingress[0].hostname`). TLS SNI and the `Host` header still name
   * `adminUrl`'s host, so the ALB picks that host's certificate and listener rule and the certificate is
   * verified against that name. Unset: connect to `adminUrl` itself (an existing Unleash).
   */
  readonly connectHost?: string;
}

/** Just the connection out of a resource's recorded state (read and delete get only that state). */
export function connectionOf(state: AdminConnection): AdminConnection {
  return {
    adminUrl: state.adminUrl,
    adminToken: state.adminToken,
    ...(state.connectHost ? { connectHost: state.connectHost } : {}),
  };
}

/** True when two connections reach Unleash the same way with the same token. */
export function sameConnection(a: AdminConnection, b: AdminConnection): boolean {
  return (
    a.adminUrl === b.adminUrl &&
    a.adminToken === b.adminToken &&
    (a.connectHost ?? "") === (b.connectHost ?? "")
  );
}

/** Statuses worth retrying: Unleash (or the load balancer in front of it) is starting or briefly gone. */
const TRANSIENT = [502, 503, 504];
/** A fresh environment's first `pulumi up` reaches Unleash while its pods and ALB targets still come up. */
const RETRY_FOR_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** One Admin API request as Node's `http.request`/`https.request` takes it. */
export interface AdminRequestOptions {
  readonly protocol: "http:" | "https:";
  /** The host the TCP connection goes to: `connectHost`, else `adminUrl`'s host. */
  readonly hostname: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
  /** TLS SNI, and the name Node verifies the certificate against (tls.connect `servername`). */
  readonly servername?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Who calls the Admin API, as Unleash's and the ALB's logs show it (an RFC 9110 product token). */
export const ADMIN_USER_AGENT = "AMS-Platform/1 (unleash-admin)";

/**
 * The request for one Admin API call. With `connectHost`, the connection goes there while SNI (`servername`)
 * and `Host` name `adminUrl`'s host. Node's TLS client verifies the certificate against `servername`
 * (https://nodejs.org/api/tls.html#tlsconnectoptions-callback, `servername` and `checkServerIdentity`); its
 * agent would derive it from `Host` anyway (normalizeServerName in
 * https://github.com/nodejs/node/blob/v20.x/lib/_http_agent.js), setting it just does not rely on that. The ALB
 * selects the certificate by SNI and the listener rule by `Host`
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#host-conditions).
 */
export function adminRequestOptions(
  connection: AdminConnection,
  method: string,
  path: string,
  body?: string,
): AdminRequestOptions {
  const url = new URL(`${connection.adminUrl.replace(/\/+$/, "")}${path}`);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`Unleash admin URL ${connection.adminUrl} is neither https nor http`);
  }
  const connectHost = connection.connectHost === "" ? undefined : connection.connectHost;
  return {
    protocol: url.protocol,
    hostname: connectHost ?? url.hostname,
    port: url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port),
    method,
    path: `${url.pathname}${url.search}`,
    ...(connectHost !== undefined && url.protocol === "https:" ? { servername: url.hostname } : {}),
    headers: {
      Host: url.host,
      // Node's http client sends no User-Agent, and the AWS managed core rule set of a WAF on the ALB blocks
      // requests without one (NoUserAgent_HEADER,
      // https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html).
      "User-Agent": ADMIN_USER_AGENT,
      Authorization: connection.adminToken,
      Accept: "application/json",
      ...(body === undefined
        ? {}
        : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) }),
    },
  };
}

/** Sends one request; resolves with the status and body text of any answer, rejects on network errors. */
async function send(
  options: AdminRequestOptions,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  const transport = options.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise((resolve, reject) => {
    const request = transport.request({ ...options, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", reject);
    });
    request.on("timeout", () =>
      request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
    );
    request.on("error", reject);
    request.end(body);
  });
}

export interface AdminResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A certificate Node refuses (wrong name, untrusted, expired): waiting does not fix it, so it fails at once.
 * Node reports these with OpenSSL's verify codes or ERR_TLS_CERT_ALTNAME_INVALID
 * (https://nodejs.org/api/errors.html#openssl-errors, tls.checkServerIdentity).
 */
function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code);
}

/**
 * One Admin API call. Retries network errors (a new ALB's DNS name takes a while to resolve) and
 * 502/503/504 for up to five minutes, but not a refused certificate; any other status is returned for the
 * caller to judge (404 often means "gone", which is not an error for read and delete).
 */
export async function adminRequest(
  connection: AdminConnection,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<AdminResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const options = adminRequestOptions(connection, method, path, payload);
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    let failure: string;
    try {
      const response = await send(options, payload);
      if (!TRANSIENT.includes(response.status)) {
        return { status: response.status, body: parseBody(response.text) };
      }
      failure = `HTTP ${response.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
      if (isCertificateError(err)) {
        throw new Error(`Unleash ${method} ${path} failed: ${failure}`, { cause: err });
      }
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
