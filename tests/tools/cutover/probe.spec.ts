import { strict as assert } from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { httpProbe } from "../../../tools/cutover/healthProbe";

/** The health probe against a local HTTP server standing in for the idle color's preview route. */
describe("cut-over: health probe", () => {
  let server: http.Server;
  let base: string;
  const seen: http.IncomingHttpHeaders[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      const status = Number(new URL(request.url ?? "/", "http://x").searchParams.get("status") ?? "200");
      if (status === 302) response.setHeader("Location", "/login");
      response.statusCode = status;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("2xx with the preview headers sent is healthy", async () => {
    const result = await httpProbe(fetch)({
      url: `${base}/ready?status=204`,
      headers: { "X-AMS-Preview": "true" },
    });
    assert.deepEqual(result, { ok: true, detail: "HTTP 204" });
    assert.equal(seen.at(-1)?.["x-ams-preview"], "true");
  });

  it("503 and a redirect are not healthy", async () => {
    assert.deepEqual(await httpProbe(fetch)({ url: `${base}/ready?status=503`, headers: {} }), {
      ok: false,
      detail: "HTTP 503",
    });
    const redirected = await httpProbe(fetch)({ url: `${base}/ready?status=302`, headers: {} });
    assert.equal(redirected.ok, false);
  });

  it("no answer is not healthy, and says why", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await httpProbe(fetch)({ url: `http://127.0.0.1:${port}/ready`, headers: {} });
    assert.equal(result.ok, false);
    assert.match(result.detail, /^no answer \(.*ECONNREFUSED/);
  });
});
