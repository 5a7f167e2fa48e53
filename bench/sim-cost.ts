/**
 * Calibration runs for the simulator's cost model (src/node/cli/simulate-cost.ts): each size
 * runs `secagg simulate` as a fresh child process and records its wall time, its CPU time and
 * peak RSS (/usr/bin/time) and its peak V8 heap (the largest "before" size in --trace-gc).
 * Usage: `tsx bench/sim-cost.ts [N:DIM:GRAPH:TRANSPORT ...]`, GRAPH `auto`, `complete` or a
 * degree; without arguments, the grid of the documented fit.
 * One JSON line per run on stdout; docs/BENCHMARKS.md ("Simulator cost model") has the table.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = new URL('../bin/secagg.js', import.meta.url).pathname
const DEFAULT_GRID = [
  '100:10:auto:memory', '300:10:auto:memory', '1000:10:auto:memory', '2000:10:auto:memory', '1000:1000:auto:memory',
  '100:100000:auto:memory', '30:1000000:complete:memory',
  '50:10:complete:memory', '150:10:complete:memory', '300:10:complete:memory',
  '10:1000:auto:libp2p', '50:1000:auto:libp2p', '150:1000:auto:libp2p'
]

function gcPeakMb (trace: string): number {
  let peak = 0
  for (const m of trace.matchAll(/ ([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/g)) peak = Math.max(peak, Number(m[1]), Number(m[3]))
  return peak
}

for (const spec of process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_GRID) {
  const [n, dim, graph, transport] = spec.split(':') as [string, string, string, string]
  const dir = mkdtempSync(join(tmpdir(), 'sim-cost-'))
  try {
    const out = join(dir, 'report.json')
    const graphFlags = graph === 'complete' ? ['--complete'] : graph === 'auto' ? [] : ['--neighbours', graph]
    const args = ['-f', '%U %S %M', process.execPath, '--trace-gc', BIN, 'simulate', '--peers', n, '--dim', dim, ...graphFlags,
      '--dropout', 'masked=0.05', '--seed', '3', '--transport', transport, '--out', out, '--quiet', '--force']
    const start = performance.now()
    const run = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 30 })
    const wall = performance.now() - start
    if (run.status !== 0) throw new Error(`${spec}: exit ${run.status}: ${run.stderr}`)
    const trace = run.stdout
    // /usr/bin/time writes user and system CPU seconds and the maximum RSS (KiB) as stderr's last line:
    // CPU time, unlike wall time, does not grow when others share the machine.
    const [user, system, rssKb] = (/([\d.]+) ([\d.]+) (\d+)\s*$/.exec(run.stderr) ?? []).slice(1).map(Number) as [number, number, number]
    const report = JSON.parse(readFileSync(out, 'utf8')) as { neighbours: number | 'complete', wallMs: number }
    console.log(JSON.stringify({ spec, k: report.neighbours, processMs: Math.round(wall), wallMs: report.wallMs, cpuS: Math.round(100 * (user + system)) / 100, heapPeakMb: gcPeakMb(trace), rssMb: Math.round(rssKb / 1024) }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
