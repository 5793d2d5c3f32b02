import { ConfigError, ConfigProblem } from "../../config/errors";
import { parseAmsConfig } from "../../config/parse";
import { RawConfig } from "../../config/rawConfig";
import { AmsConfig } from "../../config/types";
import { projectValues } from "../../config/load";
import { loadProject, loadStackConfig } from "../../plan/projectFiles";
import { buildProgramConfig, parseOverride } from "../../plan/stackConfig";

/**
 * Parses a committed stack's config (Pulumi.yaml defaults + Pulumi.<stack>.yaml + `key=value` overrides)
 * with the real parser, without running the program.
 */
export function parseStack(stack: string, ...overrides: string[]): AmsConfig {
  const project = loadProject();
  const config = buildProgramConfig(
    project,
    loadStackConfig(stack),
    overrides.map((text) => parseOverride(text, "--set")),
  );
  return parseAmsConfig({
    project: project.name,
    stack,
    raw: new RawConfig(projectValues(config.values, project.name)),
    awsRegion: config.values["aws:region"],
  });
}

/** The problems `parseStack` reports; fails the test when the config is accepted. */
export function problemsOf(stack: string, ...overrides: string[]): ConfigProblem[] {
  try {
    parseStack(stack, ...overrides);
  } catch (err) {
    if (ConfigError.isConfigError(err)) return [...err.problems];
    throw err;
  }
  throw new Error(`config of ${stack} with ${overrides.join(" ")} was accepted`);
}

/** The single problem reported for `key`; fails unless exactly one was. */
export function problemFor(key: string, stack: string, ...overrides: string[]): ConfigProblem {
  const matching = problemsOf(stack, ...overrides).filter((problem) => problem.key === key);
  if (matching.length !== 1) {
    throw new Error(
      `expected one problem for ${key}, got ${JSON.stringify(problemsOf(stack, ...overrides))}`,
    );
  }
  return matching[0];
}
