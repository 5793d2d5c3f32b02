/**
 * Kubernetes resource quantities, restricted to the forms a sizing block needs. Parsing them lets config
 * validation compare requests with limits and lets the namespace quota be computed from the sizing.
 */

const CPU_PATTERN = /^(\d+(?:\.\d{1,3})?)(m?)$/;
const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export const CPU_FORMAT = 'a CPU quantity such as "250m" or "1.5"';
export const MEMORY_FORMAT = 'a memory quantity of whole bytes such as "512Mi", "1.5Gi" or "2Gi"';

/** CPU quantity → millicores, or `undefined` if it is not a positive CPU quantity. */
export function parseCpuMillis(quantity: string): number | undefined {
  const match = CPU_PATTERN.exec(quantity);
  if (!match) return undefined;
  const millis = match[2] === "m" ? Number(match[1]) : Number(match[1]) * 1000;
  return Number.isInteger(millis) && millis > 0 ? millis : undefined;
}

/** Memory quantity → bytes, or `undefined` if it is not a positive memory quantity. */
export function parseMemoryBytes(quantity: string): number | undefined {
  const match = MEMORY_PATTERN.exec(quantity);
  if (!match) return undefined;
  const bytes = Number(match[1]) * MEMORY_UNITS[match[2] ?? ""];
  return bytes > 0 && Number.isInteger(bytes) ? bytes : undefined;
}

/** Millicores → the shortest exact quantity string (`2000` → `"2"`, `250` → `"250m"`). */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes → a binary-unit quantity string, rounded up to whole MiB so quotas never undershoot. */
export function formatMemoryBytes(bytes: number): string {
  const mebibytes = Math.ceil(bytes / 2 ** 20);
  return mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}
