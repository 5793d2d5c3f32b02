import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { Color } from "../../config/types";
import { ACTIVE_COLOR_KEY } from "../../release/history";
import { recordedRelease } from "../../release/outputs";
import { describeRelease } from "../../release/state";
import { openPulumiStack } from "../../tools/cutover/automation";
import { StackPort } from "../../tools/cutover/ports";

/**
 * A sandbox around the recording fake `pulumi` (tests/fakes/pulumi/pulumi): its state file, its call log, a
 * project directory with a stack file, and a CLI root whose bin/pulumi runs the fake.
 */

export const ALARMS = ["ams-dev-api-5xx", "ams-dev-api-p95"];
export const FAKE_PULUMI = path.resolve(__dirname, "..", "fakes", "pulumi", "pulumi");
export const DEPLOYED = "d3".repeat(20);
const PREFIX = "urn:pulumi:dev::ams::ams:delivery:BlueGreenRelease$ams:delivery:BlueGreenService$";
/** The routing objects the fake's `up` updates, which its preview of a flip also plans. */
export const ROUTING = [
  `${PREFIX}kubernetes:core/v1:Service::ams-release-api-stable`,
  `${PREFIX}kubernetes:core/v1:Service::ams-release-api-preview`,
  `${PREFIX}kubernetes:networking.k8s.io/v1:Ingress::ams-release-api-public`,
];

export interface Recorded {
  readonly argv?: string[];
  readonly cwd?: string;
  readonly pulumiHome?: string | null;
  readonly signal?: string;
  readonly preview?: { activeColor: string; configFile: string | null };
}

export interface FakeState {
  stack: string;
  config: Record<string, string>;
  outputs: Record<string, unknown>;
  /** The config key of the live color, and the outputs an `up` records with each color live. */
  activeColorKey: string;
  outputsAfterUp: Record<Color, Record<string, unknown>>;
  routing: readonly string[];
  history: { version: number; message: string; result: string; environment: Record<string, string> }[];
  upResults?: string[];
  stepDelayMs?: number;
  lock?: { holder: string; ups?: number };
  previewSteps?: { urn: string; op: string }[];
  repeatEvents?: boolean;
  failAfterUp?: string[];
  pendingOperations?: unknown[];
}

export interface Sandbox {
  readonly dir: string;
  readonly workDir: string;
  readonly home: string;
  /** The directory whose bin/pulumi runs the fake. */
  readonly root: string;
  readonly statePath: string;
  readonly logPath: string;
  /** The environment the fake CLI needs. */
  readonly env: Record<string, string>;
  open(): Promise<StackPort>;
  calls(): Recorded[];
  /** The argv of every call that changes something, without the SDK's bookkeeping flags. */
  changes(): string[];
  state(): FakeState;
  edit(change: (state: FakeState) => void): void;
}

/**
 * The outputs a succeeded `pulumi up` of the dev stack records with `color` live: the release contract's
 * (release/outputs.ts), so the fake answers what the real program would, not a copy of its output names.
 */
function outputsWith(color: Color): Record<string, unknown> {
  const release = describeRelease({
    strategy: "blueGreen",
    activeColor: color,
    versions: { blue: "1.4.0", green: "1.5.0" },
    previewWeight: 0,
    idleColorPolicy: "scaledDown",
  });
  return {
    ...recordedRelease(release),
    region: "ap-northeast-2",
    idleColorPolicy: "scaledDown",
    previewProbe: { url: "https://api.dev.example.com/actuator/health/readiness", headers: {} },
    cutoverAlarmNames: ALARMS,
  };
}

export function sandbox(upResults: string[] = []): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ams-cutover-auto-"));
  const workDir = path.join(dir, "project");
  const home = path.join(dir, "pulumi-home");
  const root = path.join(dir, "cli");
  fs.mkdirSync(workDir);
  fs.mkdirSync(home);
  fs.mkdirSync(path.join(root, "bin"), { recursive: true });
  fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: ams\nruntime: nodejs\n");
  fs.writeFileSync(
    path.join(workDir, "Pulumi.dev.yaml"),
    "config:\n  ams:activeColor: blue\n  aws:region: ap-northeast-2\n",
  );
  // A wrapper rather than a symlink: it runs the fake with this Node whatever the checkout's file modes are.
  const bin = path.join(root, "bin", "pulumi");
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_PULUMI}" "$@"\n`, { mode: 0o755 });
  const statePath = path.join(dir, "state.json");
  const logPath = path.join(dir, "calls.jsonl");
  const state: FakeState = {
    stack: "dev",
    config: { [ACTIVE_COLOR_KEY]: "blue", "aws:region": "ap-northeast-2" },
    outputs: outputsWith("blue"),
    activeColorKey: ACTIVE_COLOR_KEY,
    outputsAfterUp: { blue: outputsWith("blue"), green: outputsWith("green") },
    routing: ROUTING,
    history: [
      {
        version: 1,
        kind: "update",
        startTime: "2026-03-01T09:00:00.000Z",
        endTime: "2026-03-01T09:05:00.000Z",
        message: "greenVersion 1.5.0",
        environment: { "git.head": DEPLOYED, "git.dirty": "false" },
        config: {},
        result: "succeeded",
        resourceChanges: { same: 140, update: 4 },
      } as FakeState["history"][number],
    ],
    upResults,
    previewSteps: ROUTING.map((urn) => ({ urn, op: "update" })),
  };
  fs.writeFileSync(statePath, JSON.stringify(state));
  const env = {
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "test-only",
    FAKE_PULUMI_STATE: statePath,
    FAKE_PULUMI_LOG: logPath,
  };
  const calls = (): Recorded[] =>
    fs.existsSync(logPath)
      ? fs
          .readFileSync(logPath, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as Recorded)
      : [];
  const read = (): FakeState => JSON.parse(fs.readFileSync(statePath, "utf8")) as FakeState;
  return {
    dir,
    workDir,
    home,
    root,
    statePath,
    logPath,
    env,
    async open() {
      const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
      return openPulumiStack({ stackName: "dev", workDir, pulumiCommand, envVars: env });
    },
    calls,
    changes() {
      return calls()
        .flatMap((call) => (call.argv ? [call.argv] : []))
        .filter(
          ([command, sub]) => command === "up" || (command === "config" && (sub === "set" || sub === "rm")),
        )
        .map((argv) => {
          if (argv[1] === "set") return `config set ${argv[2]} ${argv[argv.indexOf("--") + 1]}`;
          if (argv[1] === "rm") return `config rm ${argv[2]}`;
          return `up --message ${argv[argv.indexOf("--message") + 1]}`;
        });
    },
    state: read,
    edit(change) {
      const state = read();
      change(state);
      fs.writeFileSync(`${statePath}.test`, JSON.stringify(state));
      fs.renameSync(`${statePath}.test`, statePath);
    },
  };
}
