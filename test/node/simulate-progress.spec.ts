/**
 * What `secagg simulate` says while it runs and before it starts: progress on stderr counted
 * from the real machines (one plain line per stage when piped), the refusal of a run whose
 * estimated memory does not fit (exit 2, nothing started), and virtual time: waiting out a
 * deadline in the in-memory simulator costs no wall time.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runSimulateCommand } from '../../src/node/cli/simulate.ts'
import { cli } from '../helpers/cli.ts'

const run = promisify(execFile)
const BIN = new URL('../../bin/secagg.js', import.meta.url).pathname
const STAGE_LINES = ['setup', 'advertise', 'share', 'masked', 'consistency', 'unmask', 'report']

describe('secagg simulate: progress, estimate and refusal, virtual time', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-simux-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('piped: one line per stage on stderr, counting the peers that finished it; stdout and --out as with --quiet', async () => {
    const args = ['simulate', '--peers', '30', '--dim', '20', '--dropout', 'share=2,masked=3', '--seed', '1']
    const loud = await cli(...args, '--out', join(dir, 'loud.json'))
    const quiet = await cli(...args, '--out', join(dir, 'quiet.json'), '--quiet')
    assert.equal(loud.code, 0)
    const lines = loud.err.trimEnd().split('\n')
    assert.deepEqual(lines.map((l) => /^[a-z]+/.exec(l)?.[0]), STAGE_LINES, loud.err)
    // Peers dropped at a stage send nothing from it on: 30, then 28 after share, 25 after masked.
    // The aggregator moves on at a quorum of consistency signatures and at t shares per
    // secret, so those two stages end with some of the 25 still to answer.
    const counts: Record<string, number[] | undefined> = Object.fromEntries(lines.map((l) => [/^[a-z]+/.exec(l)![0], /: (\d+)\/(\d+) peers/.exec(l)?.slice(1).map(Number)]))
    for (const stage of ['consistency', 'unmask']) assert.ok(counts[stage]![1] === 25 && counts[stage]![0]! >= 15 && counts[stage]![0]! <= 25, `${stage}: ${String(counts[stage])}`)
    assert.deepEqual(counts, { ...counts, setup: [30, 30], advertise: [30, 30], share: [28, 28], masked: [25, 25], report: undefined })
    assert.ok(!loud.err.includes('\r'))
    assert.equal(quiet.err, '')
    const strip = (p: string): unknown => { const r = JSON.parse(readFileSync(join(dir, p), 'utf8')) as Record<string, unknown>; delete r.wallMs; delete r.cpuMs; return r }
    assert.deepEqual(strip('loud.json'), strip('quiet.json'))
    const summary = (out: string): string => out.replace(/wall \d+ ms/, '').replace(/cpu inside.*/, '')
    assert.equal(summary(loud.out), summary(quiet.out))
  })

  it('the binary with piped stderr (and CI=true): plain stage lines, never a carriage return', async () => {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'simulate', '--peers', '12', '--dim', '4', '--dropout', 'unmask=1'], { env: { ...process.env, CI: 'true' }, timeout: 120_000 })
    assert.deepEqual(stderr.trimEnd().split('\n').map((l) => /^[a-z]+/.exec(l)?.[0]), STAGE_LINES, stderr)
    assert.ok(!stderr.includes('\r'))
    assert.match(stdout, /^secagg simulate: 12 peers/)
  })

  it('--task train, piped: the data loading, then one line per round; the round lines on stdout as before', async () => {
    const args = ['simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '3', '--rounds', '2', '--model', 'mlp', '--seed', '2']
    const loud = await cli(...args)
    const quiet = await cli(...args, '--quiet')
    assert.equal(loud.code, 0, loud.err)
    assert.match(loud.err, /^load data in [\d.]+ s \(elapsed [\d.]+ s\)\nround 1\/2 done in [\d.]+ s \(elapsed [\d.]+ s\)\nround 2\/2 done in [\d.]+ s \(elapsed [\d.]+ s\)\n$/)
    assert.equal(quiet.err, '')
    const timeless = (out: string): string => out.replace(/[\d.]+ s$/gm, '')
    assert.equal(timeless(loud.out), timeless(quiet.out))
    assert.match(loud.out, /^round 0: secure aggregation over 3 members/)
  })

  it('refuses a run whose estimated heap exceeds V8\'s limit: exit 2, the largest --peers that fits, nothing started', async () => {
    const logDir = join(dir, 'logs')
    await assert.rejects(
      run(process.execPath, [BIN, 'simulate', '--peers', '3000', '--dim', '10', '--log-dir', logDir, '--out', join(dir, 'r.json')], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=64' }, timeout: 120_000 }),
      (err: { code: number, stdout: string, stderr: string }) => {
        assert.equal(err.code, 2, err.stderr)
        assert.match(err.stderr, /^secagg simulate: --peers 3000 needs an estimated \d+ MB of V8 heap, above this process's limit of \d+ MB: at --dim 10 with the default SecAgg\+ graph at most --peers \d+ fits; raise the limit \(NODE_OPTIONS=--max-old-space-size=\d+\) or pass --force/)
        assert.equal(err.stderr.trim().split('\n').length, 1)
        assert.equal(err.stdout, '')
        return true
      })
    assert.ok(!existsSync(logDir), 'the log directory was not created')
    assert.ok(!existsSync(join(dir, 'r.json')))
  })

  it('the largest --peers it names fits and one more does not; --force runs anyway; memory too', async () => {
    const limits = { heapBytes: 64 * 2 ** 20, availableBytes: 16 * 2 ** 30 }
    const attempt = async (...args: string[]): Promise<{ code: number, out: string, err: string }> => {
      let out = ''
      let err = ''
      const io = { stdout: (t: string) => { out += t + '\n' }, stderr: (t: string) => { err += t + '\n' } }
      try {
        return { code: await runSimulateCommand(['--dim', '10', '--complete', '--quiet', ...args], io, {}, limits), out, err }
      } catch (e) {
        return { code: 2, out, err: err + (e as Error).message }
      }
    }
    const refused = await attempt('--peers', '400')
    assert.equal(refused.code, 2)
    const largest = Number(/at most --peers (\d+) fits/.exec(refused.err)?.[1])
    assert.match(refused.err, /with the complete graph/)
    assert.ok(largest > 3 && largest < 400, refused.err)
    assert.equal((await attempt('--peers', String(largest + 1))).code, 2)
    const { preflight } = await import('../../src/node/cli/simulate-preflight.ts')
    assert.doesNotThrow(() => preflight({ peers: largest, dim: 10, neighbours: 'complete' }, 'memory', 10_000, limits, false))
    const fits = await attempt('--peers', String(Math.min(largest, 40)))
    assert.equal(fits.code, 0, fits.err)
    const tiny = { heapBytes: 1, availableBytes: 1 }
    const silent = { stdout: () => {}, stderr: () => {} }
    await assert.rejects(runSimulateCommand(['--peers', '12', '--dim', '4', '--quiet'], silent, {}, tiny), /needs an estimated/)
    assert.equal(await runSimulateCommand(['--peers', '12', '--dim', '4', '--quiet', '--force'], silent, {}, tiny), 0)
    const memory = await attempt('--peers', '30', '--dim', '100000000')
    assert.match(memory.err, /needs an estimated [\d.]+ GB of memory, above the 16\.0 GB this machine has free/)
  })

  it('worker threads are counted in the memory estimate: the default falls back to one thread where they would not fit', async () => {
    const { chooseWorkers, preflight } = await import('../../src/node/cli/simulate-preflight.ts')
    const options = { peers: 1000, dim: 1000 }
    const one = preflight(options, 'memory', 10_000, { heapBytes: 2 ** 40, availableBytes: 2 ** 40 }, false, 1)
    const two = preflight(options, 'memory', 10_000, { heapBytes: 2 ** 40, availableBytes: 2 ** 40 }, false, 2)
    assert.ok(Math.abs(two.peakBytes / one.peakBytes - 1.7) < 1e-9, `two workers: 1.7× the one-thread peak, got ${two.peakBytes / one.peakBytes}`)
    assert.equal(two.heapBytes, one.heapBytes, 'the main thread\'s heap is unchanged')
    const between = { heapBytes: 2 ** 40, availableBytes: Math.round((one.peakBytes + two.peakBytes) / 2) }
    assert.equal(chooseWorkers(options, 10_000, between, 2), 1, 'two workers would not fit: one thread')
    assert.equal(chooseWorkers(options, 10_000, { heapBytes: 2 ** 40, availableBytes: 2 ** 40 }, 2), 2)
    assert.equal(chooseWorkers(options, 10_000, between, 1), 1)
    assert.throws(() => preflight(options, 'memory', 10_000, between, false, 2), /use fewer --workers/)
  })

  it('announces a long run on stderr before it starts, and refuses one before anything starts', async () => {
    let err = ''
    const io = { stdout: () => {}, stderr: (t: string) => { err += t + '\n' } }
    const started: string[] = []
    // A sink that stops the run at its first stage: what was printed by then came before the start.
    const stopAtStart = { progress: { stage: (name: string) => { started.push(name); throw new Error('stopped at ' + name) }, advance: () => {}, note: () => {}, round: () => {} } }
    const roomy = { heapBytes: 2 ** 40, availableBytes: 2 ** 40 }
    await assert.rejects(runSimulateCommand(['--peers', '2000', '--dim', '10'], io, stopAtStart, roomy), /stopped at setup/)
    assert.match(err, /^estimated \d+ s, [\d.]+ (MB|GB) peak\n$/)
    err = ''
    await assert.rejects(runSimulateCommand(['--peers', '2000', '--dim', '10', '--quiet'], io, stopAtStart, roomy), /stopped at setup/)
    assert.equal(err, '', '--quiet: no estimate either')
    await assert.rejects(runSimulateCommand(['--peers', '12', '--dim', '4'], io, stopAtStart, roomy), /stopped at setup/)
    assert.equal(err, '', 'a short run is not announced')
    started.length = 0
    await assert.rejects(runSimulateCommand(['--peers', '2000', '--dim', '10'], io, stopAtStart, { heapBytes: 2 ** 40, availableBytes: 2 ** 20 }), /of memory/)
    assert.deepEqual(started, [], 'a refused run starts nothing')
  })

  it('virtual time: a 1,000× longer stage deadline leaves the wall time alone and stretches the virtual stage', async () => {
    const report = async (timeout: string): Promise<{ wallMs: number, stageMs: Record<string, number> }> => {
      const out = join(dir, `t${timeout}.json`)
      const { code } = await cli('simulate', '--peers', '30', '--dim', '100', '--dropout', 'masked=2,unmask=1', '--stage-timeout', timeout, '--seed', '5', '--quiet', '--out', out)
      assert.equal(code, 0)
      return JSON.parse(readFileSync(out, 'utf8')) as { wallMs: number, stageMs: Record<string, number> }
    }
    await report('100') // warm-up: module loading and JIT would count against the first run
    const short = await report('100')
    const long = await report('100000')
    assert.equal(Math.round(short.stageMs.masked!), 100, 'the aggregator waited out the dropped peers\' masked inputs')
    assert.equal(Math.round(long.stageMs.masked!), 100_000)
    assert.ok(long.wallMs <= 2 * short.wallMs + 200, `wall ${long.wallMs} ms with a 100 s deadline vs ${short.wallMs} ms with 100 ms`)
    assert.ok(long.wallMs < 20_000)
  })
})
