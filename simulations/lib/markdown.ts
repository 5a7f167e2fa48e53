/** Markdown for the studies' summaries: pipe tables with right-aligned numbers. */

export type Cell = string | number | null

/** Numbers to 3 significant digits (integers from 1,000 on as they are), null as '—'. */
export function formatNumber (value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  return Number(value.toPrecision(3)).toString()
}

export function markdownTable (headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = (c: Cell): string => typeof c === 'number' || c === null ? formatNumber(c) : c.replaceAll('|', '\\|')
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null))
  const lines = [
    `| ${headers.join(' | ')} |`,
    `| ${numeric.map((n) => n ? '---:' : '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(text).join(' | ')} |`)
  ]
  return lines.join('\n')
}
