/** The two blue-green colors; the program refuses any other `activeColor`. */
export type Color = "blue" | "green";

export const COLORS: readonly Color[] = ["blue", "green"];

export function isColor(value: unknown): value is Color {
  return value === "blue" || value === "green";
}

/** Blue-green has exactly two colors, so the color a flip leaves is always the other one. */
export function otherColor(color: Color): Color {
  return color === "blue" ? "green" : "blue";
}
