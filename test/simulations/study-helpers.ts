/** Runs a study's --smoke grid into a fresh directory and hands back what it wrote. */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StudyIo } from '../../simulations/lib/main.ts'

export interface SmokeRun { dir: string, stderr: string[], stdout: string[], results: Record<string, unknown>, cleanup: () => void }

export async function runSmoke (study: (argv: readonly string[], io: StudyIo) => Promise<unknown>, extra: readonly string[] = []): Promise<SmokeRun> {
  const dir = mkdtempSync(join(tmpdir(), 'secagg-study-'))
  const stderr: string[] = []
  const stdout: string[] = []
  await study(['--smoke', '--out', dir, ...extra], { stderr: (l) => stderr.push(l), stdout: (l) => stdout.push(l) })
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>
  return { dir, stderr, stdout, results, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Each chart as a real SVG and a real PNG of some size. */
export function assertCharts (dir: string, names: readonly string[]): void {
  for (const name of names) {
    const svg = join(dir, `${name}.svg`)
    const png = join(dir, `${name}.png`)
    if (!existsSync(svg) || !existsSync(png)) throw new Error(`chart ${name}: ${svg} or ${png} is missing`)
    if (!readFileSync(svg, 'utf8').startsWith('<svg')) throw new Error(`${svg} is not an SVG`)
    const head = readFileSync(png).subarray(0, 4)
    if (head[0] !== 0x89 || head[1] !== 0x50 || statSync(png).size < 5000) throw new Error(`${png} is not a PNG with a chart in it`)
  }
}
