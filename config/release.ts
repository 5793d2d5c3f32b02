import { ProblemList } from "./errors";
import { readEnum, readInteger, readOptionalImageTag } from "./fields";
import { RawConfig } from "./rawConfig";
import { COLORS, Color, IDLE_COLOR_POLICIES, ReleaseConfig, STRATEGIES } from "./types";

/** A stack output or config value read back from Pulumi, checked before it is trusted as a color. */
export function isColor(value: unknown): value is Color {
  return (COLORS as readonly unknown[]).includes(value);
}

export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}

/** The config key that holds a color's version (`blueVersion`, `greenVersion`). */
export function versionKey(color: Color): string {
  return `${color}Version`;
}

/**
 * Reads the release keys and checks the rules that span several of them. These are the guard rails a
 * flip relies on, so they fail at preview time rather than halfway through an update.
 */
export function readRelease(raw: RawConfig, problems: ProblemList): ReleaseConfig | undefined {
  const strategy = readEnum(raw, problems, "strategy", STRATEGIES);
  const activeColor = readEnum(raw, problems, "activeColor", COLORS);
  const blue = readOptionalImageTag(raw, problems, versionKey("blue"));
  const green = readOptionalImageTag(raw, problems, versionKey("green"));
  const previewWeight = readInteger(raw, problems, "previewWeight", { min: 0, max: 100 });
  const idleColorPolicy = readEnum(raw, problems, "idleColorPolicy", IDLE_COLOR_POLICIES);
  if (!strategy || !activeColor || previewWeight === undefined || !idleColorPolicy) return undefined;

  const versions: Record<Color, string | undefined> = { blue, green };
  const idleColor = otherColor(activeColor);
  const activeVersionRaw = raw.get(versionKey(activeColor)) ?? "";
  if (activeVersionRaw === "") {
    problems.add(
      versionKey(activeColor),
      "",
      `an image tag, because activeColor is ${activeColor}: traffic cannot move to a color with no version`,
    );
  }
  if (previewWeight > 0) {
    if (strategy !== "blueGreen") {
      problems.add("previewWeight", previewWeight, `0 unless strategy is blueGreen (it is ${strategy})`);
    }
    if ((raw.get(versionKey(idleColor)) ?? "") === "") {
      problems.add(
        "previewWeight",
        previewWeight,
        `0 while the idle color ${idleColor} has no version (set ${versionKey(idleColor)} first)`,
      );
    }
    if (idleColorPolicy === "scaledDown") {
      problems.add(
        "previewWeight",
        previewWeight,
        "0 while idleColorPolicy is scaledDown: the idle color's single warm pod is not sized for a share of public traffic",
      );
    }
  }
  return { strategy, activeColor, versions, previewWeight, idleColorPolicy };
}
