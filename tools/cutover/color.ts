import { Color, COLORS } from "../../config/types";

// The program's own color model: the tools flip exactly what the program declares.
export { otherColor } from "../../config/release";
export { COLORS };
export type { Color };

/** A stack output or config value read back from Pulumi, checked before it is trusted as a color. */
export function isColor(value: unknown): value is Color {
  return (COLORS as readonly unknown[]).includes(value);
}
