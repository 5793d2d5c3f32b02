import { Report } from "./report";
import { formatInstant } from "../cli/time";

const COLORS = { deployments: "#4c78a8", failedChanges: "#e45756", axis: "#333333", grid: "#dddddd" };
const LAYOUT = { left: 64, right: 24, top: 84, bottom: 72, slot: 64, bar: 22, height: 372 };

/** `--svg`: grouped bars of deployments and failed changes per ISO week, hand-written SVG 1.1. */
export function renderSvg({ metrics, context }: Report): string {
  const weeks = metrics.weeks;
  const width = Math.max(600, LAYOUT.left + LAYOUT.right + weeks.length * LAYOUT.slot);
  // Weeks share the plot's width, so a short window is not squeezed into its left corner.
  const slot = (width - LAYOUT.left - LAYOUT.right) / Math.max(1, weeks.length);
  const plotHeight = LAYOUT.height - LAYOUT.top - LAYOUT.bottom;
  const baseline = LAYOUT.top + plotHeight;
  const highest = Math.max(1, ...weeks.map((week) => week.deployments));
  const step = Math.max(1, Math.ceil(highest / 5));
  const top = Math.ceil(highest / step) * step;
  // One decimal keeps the markup short and the bars pixel-exact enough.
  const y = (count: number) => Math.round((baseline - (count / top) * plotHeight) * 10) / 10;

  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LAYOUT.height}" ` +
      `viewBox="0 0 ${width} ${LAYOUT.height}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(`Deployments and failed changes per ISO week, stack ${context.stack}`)}</title>`,
    `<rect width="${width}" height="${LAYOUT.height}" fill="#ffffff"/>`,
    `<text x="${LAYOUT.left}" y="24" font-size="16" font-weight="bold">${escape(
      `Stack ${context.stack}: deployments and failed changes`,
    )}</text>`,
    `<text x="${LAYOUT.left}" y="44" fill="#555555">${escape(
      `per ISO week, ${formatInstant(metrics.window.start)} to ${formatInstant(metrics.window.end)}`,
    )}</text>`,
  ];

  for (let count = 0; count <= top; count += step) {
    parts.push(
      `<line x1="${LAYOUT.left}" y1="${y(count)}" x2="${width - LAYOUT.right}" y2="${y(count)}" stroke="${COLORS.grid}"/>`,
      `<text x="${LAYOUT.left - 8}" y="${y(count) + 4}" text-anchor="end">${count}</text>`,
    );
  }

  weeks.forEach((week, index) => {
    const center = Math.round(LAYOUT.left + slot * index + slot / 2);
    parts.push(
      bar(
        center - LAYOUT.bar,
        y(week.deployments),
        baseline,
        COLORS.deployments,
        `${week.week} deployments: ${week.deployments}`,
        week.deployments,
      ),
      bar(
        center,
        y(week.failedChanges),
        baseline,
        COLORS.failedChanges,
        `${week.week} failed changes: ${week.failedChanges}`,
        week.failedChanges,
      ),
      `<text x="${center}" y="${baseline + 18}" text-anchor="middle">${escape(week.week.slice(5))}</text>`,
      `<text x="${center}" y="${baseline + 32}" text-anchor="middle" fill="#555555" font-size="10">${formatInstant(
        week.monday,
      ).slice(5, 10)}</text>`,
    );
  });

  const legendX = width - LAYOUT.right - 250;
  parts.push(
    `<line x1="${LAYOUT.left}" y1="${baseline}" x2="${width - LAYOUT.right}" y2="${baseline}" stroke="${COLORS.axis}"/>`,
    `<line x1="${LAYOUT.left}" y1="${LAYOUT.top}" x2="${LAYOUT.left}" y2="${baseline}" stroke="${COLORS.axis}"/>`,
    `<text x="${LAYOUT.left + (width - LAYOUT.left - LAYOUT.right) / 2}" y="${LAYOUT.height - 14}" text-anchor="middle">ISO week (Monday, UTC)</text>`,
    `<text x="16" y="${LAYOUT.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 16 ${
      LAYOUT.top + plotHeight / 2
    })">Count</text>`,
    `<g id="legend">`,
    `<rect x="${legendX}" y="54" width="12" height="12" fill="${COLORS.deployments}"/>`,
    `<text x="${legendX + 18}" y="64">Deployments</text>`,
    `<rect x="${legendX + 120}" y="54" width="12" height="12" fill="${COLORS.failedChanges}"/>`,
    `<text x="${legendX + 138}" y="64">Failed changes</text>`,
    `</g>`,
    `</svg>`,
    "",
  );
  return parts.join("\n");
}

function bar(x: number, top: number, baseline: number, fill: string, label: string, count: number): string {
  const height = baseline - top;
  const value =
    count > 0 ? `<text x="${x + LAYOUT.bar / 2}" y="${top - 4}" text-anchor="middle">${count}</text>` : "";
  return (
    `<rect x="${x}" y="${top}" width="${LAYOUT.bar}" height="${height}" fill="${fill}">` +
    `<title>${escape(label)}</title></rect>${value}`
  );
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
