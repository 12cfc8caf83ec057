// BENCHMARKS.md and its chart (a hand-written SVG: bars of the median ratios, min–max whiskers, target marks).
import { passes, Row, Summary } from './stats';

function fmt(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function withRange(s: Summary | undefined, unit = '', format = fmt): string {
  if (!s) return '—';
  return `${format(s.median)}${unit} (${format(s.min)}–${format(s.max)})`;
}

/** A ratio, with one more decimal when two would hide which side of its target it is on. */
export function ratioFmt(value: number, row: Row): string {
  const target = row.target?.on === 'ratio' ? row.target.value : undefined;
  return target !== undefined && Math.abs(value - target) < 0.01 ? value.toFixed(3) : fmt(value);
}

export function targetText(row: Row): string {
  if (!row.target) return '—';
  const { on, op, value } = row.target;
  const sign = op === '<=' ? '≤' : '≥';
  return on === 'ratio' ? `${sign} ${value}×` : `${sign} ${value} ${row.unit}`;
}

export function resultText(row: Row): string {
  if (row.error) return 'NOT MEASURED';
  const pass = passes(row);
  return pass === undefined ? 'info' : pass ? '**PASS**' : '**FAIL**';
}

/** The markdown results table. */
export function table(rows: readonly Row[]): string {
  const lines = [
    '| measurement | ours, median (min–max) | baseline, median (min–max) | ratio, median (min–max) | target | result |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    if (row.error) {
      lines.push(`| ${row.name} | — | — | — | ${targetText(row)} | NOT MEASURED: ${row.error.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
      continue;
    }
    const ratio = row.ratio ? `${withRange(row.ratio, '×', (v) => ratioFmt(v, row))}<br><sub>${row.ratioMeaning}</sub>` : '—';
    lines.push(`| ${row.name} | ${withRange(row.ours, ` ${row.unit}`)} | ${withRange(row.baseline, ` ${row.unit}`)}<br><sub>${row.baselineName}</sub> | ${ratio} | ${targetText(row)} | ${resultText(row)} |`);
  }
  return lines.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A horizontal bar chart of the charted rows' median ratios on a log2 axis, with min–max whiskers and target marks. */
export function chart(rows: readonly Row[], subtitle: string): string {
  const charted = rows.filter((r) => r.chart && r.ratio && !r.error);
  const label = 420;
  const plot = 520;
  const rowHeight = 34;
  const top = 58;
  const height = top + charted.length * rowHeight + 50;
  const width = label + plot + 30;
  const lo = Math.log2(1 / 8);
  const hi = Math.log2(32);
  const x = (v: number): number => label + ((Math.log2(Math.min(Math.max(v, 1 / 8), 32)) - lo) / (hi - lo)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">TapServerless benchmarks: ratio to a baseline measured in the same run (median, min–max)</text>`,
    `<text x="10" y="38" fill="#555">${escapeXml(subtitle)} · log scale · black mark = target</text>`,
  ];
  for (const tick of [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32]) {
    const tx = x(tick);
    out.push(`<line x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 40}" stroke="${tick === 1 ? '#888' : '#e3e3e3'}"/>`);
    out.push(`<text x="${tx}" y="${height - 26}" text-anchor="middle" fill="#555">${tick < 1 ? `1/${1 / tick}` : tick}×</text>`);
  }
  charted.forEach((row, i) => {
    const y = top + i * rowHeight;
    const r = row.ratio!;
    const pass = passes(row);
    const colour = pass === undefined ? '#7f9cc0' : pass ? '#3c9a5f' : '#c8453c';
    out.push(`<text x="${label - 8}" y="${y + 13}" text-anchor="end">${escapeXml(row.name)}</text>`);
    out.push(`<text x="${label - 8}" y="${y + 26}" text-anchor="end" fill="#777" font-size="10">${escapeXml(row.ratioMeaning)}</text>`);
    const x0 = x(Math.min(1, r.median));
    const x1 = x(Math.max(1, r.median));
    out.push(`<rect x="${x0}" y="${y + 4}" width="${Math.max(1, x1 - x0)}" height="18" fill="${colour}"/>`);
    out.push(`<line x1="${x(r.min)}" y1="${y + 13}" x2="${x(r.max)}" y2="${y + 13}" stroke="#222" stroke-width="1.2"/>`);
    out.push(`<line x1="${x(r.min)}" y1="${y + 8}" x2="${x(r.min)}" y2="${y + 18}" stroke="#222"/><line x1="${x(r.max)}" y1="${y + 8}" x2="${x(r.max)}" y2="${y + 18}" stroke="#222"/>`);
    if (row.target?.on === 'ratio') {
      const tx = x(row.target.value);
      out.push(`<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + 26}" stroke="#000" stroke-width="3"/>`);
    }
    // The value right of the bar's far end, or right of the 1× line for a bar that grows leftwards.
    const textX = Math.min((r.median < 1 ? Math.max(x(1), row.target?.on === 'ratio' ? x(row.target.value) : 0) : x(r.max)) + 6, width - 60);
    out.push(`<text x="${textX}" y="${y + 17}" font-weight="bold">${ratioFmt(r.median, row)}×</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
