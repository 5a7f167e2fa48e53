/** Tiny benchmark helpers: median wall time of repeated runs, and aligned printing. */
export function medianMs (fn: () => void, runs = 7, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

export async function medianMsAsync (fn: () => Promise<void>, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    await fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

export interface BenchRow {
  readonly name: string
  readonly value: string
  readonly note?: string
}

export function printSection (title: string, rows: readonly BenchRow[]): void {
  console.log(`\n## ${title}`)
  const width = Math.max(...rows.map((r) => r.name.length))
  for (const r of rows) console.log(`  ${r.name.padEnd(width)}  ${r.value}${r.note ? `   (${r.note})` : ''}`)
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits)
export const verdict = (ok: boolean): string => (ok ? 'meets goal' : 'MISSES goal')
