/**
 * Protocol benchmarks (issue 3): a participant's masking step and the aggregator's unmasking
 * step, timed on the real state machines, against Flower's SecAgg+ measured on this machine
 * and against raw AES-CTR keystream for the same bytes measured in this run; peak memory of
 * masking 10M coordinates; and the n = 1,000 in-memory scale run.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { addMasks, seededRandom } from '../src/crypto/index.ts'
import { rawKeystreamMs } from './crypto.ts'
import { fmt, medianMs, printSection, verdict } from './harness.ts'
import { benchSession, deliverToAggregator, runUntilAggregatorStage } from './session-driver.ts'

/** Flower SecAgg+ on this machine: one client's masking at M = 1e6, k = 16; server unmasking at n = 17, one dropout. */
const FLOWER_MASKING_MS = 96.8
const FLOWER_UNMASKING_MS = 448
const DIM = 1_000_000
const K = 16

function randomVector (tag: string, dim: number): Float32Array {
  const bytes = seededRandom(tag)(dim)
  return Float32Array.from(bytes, (b) => b / 128 - 1)
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** One participant's step 2 (quantize, 16 pairwise masks + self mask, frame): setInput → message. */
function maskingMs (runs: number): number {
  const input = randomVector('masking', DIM)
  const times: number[] = []
  for (let r = 0; r < runs + 1; r++) {
    const s = benchSession(K + 1, DIM, `masking-${r}`)
    runUntilAggregatorStage(s, 'masked')
    const start = performance.now()
    s.participants[1]!.setInput(input, 1, s.now)
    const elapsed = performance.now() - start
    if (s.participants[1]!.pollOutbound() === undefined) throw new Error('masking produced no message')
    if (r > 0) times.push(elapsed) // the first run warms up
  }
  return median(times)
}

/** The aggregator's step 4 at n = 17 with one dropout: from the first unmask-shares message to the result. */
function unmaskingMs (runs: number): number {
  const times: number[] = []
  for (let r = 0; r < runs + 1; r++) {
    const s = benchSession(K + 1, DIM, `unmasking-${r}`)
    // member 16 shares its keys, then drops before sending its masked input.
    s.participants.forEach((p, i) => { if (i !== K) p.setInput(randomVector(`unmasking-${r}-${i}`, DIM), 1 + i, 0) })
    runUntilAggregatorStage(s, 'unmask')
    const start = performance.now()
    deliverToAggregator(s)
    const elapsed = performance.now() - start
    if (s.aggregator.stage !== 'done') throw new Error(`unmasking ended in ${s.aggregator.stage}`)
    if (r > 0) times.push(elapsed)
  }
  return median(times)
}

/**
 * V8 heap cap for the scale runs: without one, V8 grows its heap toward its default limit
 * before collecting, so the peak RSS of the n = 10,000 run swung between 3.5 and 4.0 GB with
 * the same live set; capped, the run completes at ~3.4 GB. Too small a cap fails the run.
 */
const SCALE_HEAP_MB = 3000

function childArgv (args: readonly string[]): string[] {
  const script = fileURLToPath(new URL('./protocol-child.ts', import.meta.url))
  const heap = args[0] === 'scale' || args[0] === 'aggregator-record' ? [`--max-old-space-size=${SCALE_HEAP_MB}`] : []
  return [...heap, '--import', 'tsx', '--expose-gc', script, ...args]
}

/** A child's one JSON line; `input`, if given, is its stdin. */
function childFed (input: Buffer | undefined, ...args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, childArgv(args), { encoding: 'utf8', maxBuffer: 1 << 20, ...(input !== undefined ? { input } : {}) })
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>
}

function child (...args: string[]): Record<string, number> {
  return childFed(undefined, ...args)
}

/** A child's stdout as bytes: the aggregator's recorded calls (~45 MB at n = 1,000), kept in memory. */
function childBytes (...args: string[]): Buffer {
  return execFileSync(process.execPath, childArgv(args), { maxBuffer: 1 << 30 })
}

/** The masking proper inside step 2: 17 masks (16 pairwise + self) expanded and added into M + 1 words. */
function maskAddMs (): number {
  const rng = seededRandom('mask-add')
  const terms = Array.from({ length: K + 1 }, (_, i) => ({ seed: rng(32), sign: (i % 2 === 0 ? 1 : -1) as 1 | -1 }))
  const y = new Uint32Array(DIM + 1)
  return medianMs(() => addMasks(y, terms), 7, 2)
}

export function benchProtocol (): void {
  const mask = maskingMs(7)
  const maskAdd = maskAddMs()
  // Keystream the masking needs: 17 masks (16 pairwise + self) of M + 1 words.
  const rawMask = rawKeystreamMs((K + 1) * (DIM + 1) * 4)
  const unmask = unmaskingMs(3)
  // 16 self masks of survivors + 16 pairwise masks of the dropped member's neighbours.
  const rawUnmask = rawKeystreamMs(2 * K * (DIM + 1) * 4)
  printSection(`Protocol steps, M = ${DIM.toLocaleString('en')}, k = ${K} (complete graph on ${K + 1})`, [
    { name: 'raw AES-CTR keystream for 17 masks', value: `${fmt(rawMask)} ms`, note: 'the limit, this run' },
    {
      name: '17 masks expanded and added',
      value: `${fmt(maskAdd)} ms`,
      note: `${fmt(maskAdd / rawMask, 2)}× raw keystream, goal ≤ 2×: ${verdict(maskAdd / rawMask <= 2)}`
    },
    {
      name: 'participant step 2, whole',
      value: `${fmt(mask)} ms`,
      note: `quantize + 16 X25519 + masks + message; ${fmt(mask / FLOWER_MASKING_MS, 2)}× Flower's ${FLOWER_MASKING_MS} ms, goal ≤ 0.5×: ${verdict(mask / FLOWER_MASKING_MS <= 0.5)}; ${fmt(mask / rawMask, 2)}× raw keystream`
    },
    { name: 'raw AES-CTR keystream for 32 masks', value: `${fmt(rawUnmask)} ms`, note: 'the limit, this run' },
    {
      name: 'aggregator unmasking, n = 17, 1 dropout',
      value: `${fmt(unmask)} ms`,
      note: `${fmt(unmask / FLOWER_UNMASKING_MS, 2)}× Flower's ${FLOWER_UNMASKING_MS} ms, goal ≤ 0.3×: ${verdict(unmask / FLOWER_UNMASKING_MS <= 0.3)}; ${fmt(unmask / rawUnmask, 2)}× raw keystream`
    }
  ])

  // Peak RSS above an idle session at two sizes: the slope is the per-input-byte cost (goal
  // < 3), the intercept the constant (mostly V8 letting ~64 MB of 64 KiB keystream buffers,
  // external memory, pile up before it collects them).
  const small = child('mask-memory', String(10_000_000), String(K))
  const large = child('mask-memory', String(30_000_000), String(K))
  const extra = (m: Record<string, number>): number => m.peakRss! - m.rssBefore!
  const slope = (extra(large) - extra(small)) / (large.inputBytes! - small.inputBytes!)
  const intercept = extra(large) - slope * large.inputBytes!
  printSection('Peak memory of masking, k = 16 (fresh process per size; input is a Float32Array)', [
    { name: 'M = 10,000,000: peak RSS above the idle session', value: `${fmt(extra(small) / 1e6)} MB = ${fmt(extra(small) / small.inputBytes!, 2)}× the ${fmt(small.inputBytes! / 1e6)} MB input`, note: `message ${fmt(small.messageBytes! / 1e6)} MB` },
    { name: 'M = 30,000,000: peak RSS above the idle session', value: `${fmt(extra(large) / 1e6)} MB = ${fmt(extra(large) / large.inputBytes!, 2)}× the ${fmt(large.inputBytes! / 1e6)} MB input` },
    {
      name: 'fit: peak = a × input + b',
      value: `a = ${fmt(slope, 2)}, b = ${fmt(intercept / 1e6)} MB`,
      note: `the input counts in a; goal a < 3: ${verdict(slope < 3)}`
    }
  ])
}

/** Alternating pairs of n = 1,000 replays (0 % and 10 % dropout) behind the aggregator's dropout factor. */
const DROPOUT_PAIRS = 5

/** Peer counts of the scale runs: SCALE_PEERS=1000,10000 by default. */
function scalePeers (): [number, number] {
  const [small, large] = (process.env.SCALE_PEERS ?? '1000,10000').split(',').map(Number)
  if (!Number.isInteger(small) || !Number.isInteger(large) || small! < 10 || large! <= small!) throw new Error('SCALE_PEERS must be two increasing peer counts ≥ 10, e.g. 1000,10000')
  return [small!, large!]
}

export function benchScale (): void {
  const [small, large] = scalePeers()
  const runs = [child('scale', String(small), '0.05'), child('scale', String(large), '0.05')]
  const exponent = Math.log(runs[1]!.wallMs! / runs[0]!.wallMs!) / Math.log(large / small)
  const rows = runs.flatMap((r, i) => {
    const n = i === 0 ? small : large
    return [
      { name: `n = ${n.toLocaleString('en')}: graph, outcome`, value: `k = ${r.neighbours}, t = ${r.threshold}; ${r.aborted ? 'ABORTED' : `${r.included} included, max |error| ${r.maxAbsError?.toExponential(2)}`}` },
      {
        name: `n = ${n.toLocaleString('en')}: wall, peak RSS`,
        value: `${fmt(r.wallMs! / 1000, 1)} s, ${fmt(r.peakRss! / 1e6, 0)} MB (${r.workers! > 1 ? `${r.workers} worker threads` : 'one thread'})`,
        note: n >= 10_000 ? `goal < 300 s and < 4,000 MB: ${verdict(r.wallMs! < 300_000 && r.peakRss! < 4e9)}` : undefined
      },
      { name: `n = ${n.toLocaleString('en')}: cpu per machine`, value: `aggregator ${fmt(r.aggregatorCpuMs! / 1000, 2)} s, participant mean ${fmt(r.participantCpuMs!, 1)} ms` },
      { name: `n = ${n.toLocaleString('en')}: bytes sent`, value: `aggregator ${fmt(r.aggregatorBytes! / 1e6, 1)} MB, participant mean ${fmt(r.participantBytes! / 1e3, 1)} kB` }
    ]
  })
  rows.push({ name: `time growth ${small.toLocaleString('en')} → ${large.toLocaleString('en')}`, value: `n^${fmt(exponent, 2)}`, note: `goal exponent ≤ 1.15: ${verdict(exponent <= 1.15)}` })
  // The aggregator's own work with 0% and 10% dropped at masked (Bonawitz et al. 2017 report
  // ~30× on the complete graph at 500 users): SecAgg+ rebuilds k pairwise masks per dropout.
  // Timed inside the simulation, it swung by up to 1.37× between runs of one setting, more
  // than the effect: the members share its thread and heap, and their collections land in
  // whichever machine allocates. So each round's aggregator steps are recorded once and given
  // to a fresh aggregator in a fresh process, alternating, the fastest of each. What is left:
  // the 10% round's extra work is ~8% (a CPU profile: 5,200 X25519 agreements rebuilding the
  // dropped members' pairwise seeds, 154 ms), and single replays still vary by ±8%.
  // The recorded calls go through pipes, not files: they hold the simulated members' shares.
  const recorded = { none: childBytes('aggregator-record', String(small), '0'), tenth: childBytes('aggregator-record', String(small), '0.1') }
  const none: number[] = []
  const tenth: number[] = []
  for (let r = 0; r < DROPOUT_PAIRS; r++) {
    none.push(childFed(recorded.none, 'aggregator-replay', String(small), '0').aggregatorMs!)
    tenth.push(childFed(recorded.tenth, 'aggregator-replay', String(small), '0.1').aggregatorMs!)
  }
  const factor = Math.min(...tenth) / Math.min(...none)
  rows.push({
    name: `n = ${small.toLocaleString('en')}: aggregator's own work, 10% vs 0% dropout`,
    value: `${fmt(Math.min(...tenth) / 1000, 2)} s vs ${fmt(Math.min(...none) / 1000, 2)} s = ${fmt(factor, 2)}×`,
    note: `its recorded steps replayed in a fresh process, fastest of ${DROPOUT_PAIRS} alternating each; goal ≤ 1.2×: ${verdict(factor <= 1.2)}`
  })
  printSection(`Scale runs in memory: M = 1,000, SecAgg+, dropout at masked (fresh process each, V8 heap capped at ${SCALE_HEAP_MB.toLocaleString('en')} MB)`, rows)
}
