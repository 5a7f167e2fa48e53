/**
 * Where a study's output goes: results.json, summary.md and the charts in one directory,
 * each written atomically (temp file + rename) so an interrupted run never leaves a
 * half-written file in place of the last good one.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { writeChart } from '../../src/node/charts/render-chart.ts'
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'

export function writeAtomically (path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, text)
  renameSync(temp, path)
}

/** What the numbers were measured on: they mean little without it. */
export interface Machine { cpus: number, cpuModel: string, memoryGiB: number, node: string, platform: string }

export function describeMachine (): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`
  }
}

export class StudyOutput {
  constructor (readonly dir: string) {
    mkdirSync(dir, { recursive: true })
  }

  json (name: string, value: unknown): string {
    const path = join(this.dir, name)
    writeAtomically(path, JSON.stringify(value, null, 2) + '\n')
    return path
  }

  text (name: string, text: string): string {
    const path = join(this.dir, name)
    writeAtomically(path, text)
    return path
  }

  /** NAME.svg and NAME.png. */
  async chart (name: string, spec: ChartSpec): Promise<{ svg: string, png: string }> {
    return await writeChart(join(this.dir, `${name}.svg`), spec)
  }
}

/**
 * Writes a study's results.json (unless `fresh` is false: a --replot keeps the measured file
 * as it is), its charts and summary.md into `dir`, and prints what it wrote.
 */
export async function publishStudy (dir: string, results: { study: string, elapsedMs: number }, charts: Record<string, ChartSpec>, summary: string, stdout: (line: string) => void, fresh: boolean): Promise<void> {
  const output = new StudyOutput(dir)
  if (fresh) output.json('results.json', results)
  for (const [name, spec] of Object.entries(charts)) await output.chart(name, spec)
  output.text('summary.md', summary)
  stdout(`sim:${results.study}: ${fresh ? `measured in ${(results.elapsedMs / 1000).toFixed(0)} s; ` : 'redrawn from results.json; '}wrote ${dir}/${fresh ? 'results.json, ' : ''}summary.md, ${Object.keys(charts).map((c) => `${c}.svg/.png`).join(', ')}`)
}
