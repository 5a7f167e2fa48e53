/**
 * `secagg simulate` as users run it: exit codes, --inputs, --out report fields, and one run of
 * the real binary (bin/secagg.js on the pinned Node) to prove the wiring end to end.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { cli } from '../helpers/cli.ts'

const run = promisify(execFile)
const BIN = new URL('../../bin/secagg.js', import.meta.url).pathname

describe('secagg simulate (CLI)', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-sim-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('--inputs and --out: the report has every field and the exact weighted sum', async () => {
    const vectors = [[1, -2, 0.5], [0.25, 0, -1], [3, 1, 1], [-0.5, 0.5, 0], [2, 2, -2]]
    const weights = [1, 2, 3, 1, 2]
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ vectors, weights }))
    const outPath = join(dir, 'report.json')
    const { code, out } = await cli('simulate', '--peers', '5', '--dim', '3', '--complete', '--inputs', join(dir, 'in.json'), '--emit-sum', '--out', outPath, '--seed', '9')
    assert.equal(code, 0)
    assert.match(out, /outcome: sum over 5 peers/)
    const report = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>
    for (const field of ['peers', 'dim', 'threshold', 'neighbours', 'aggregator', 'droppedAt', 'included', 'aborted', 'reason', 'weightSum', 'sum', 'maxAbsError', 'stageMs', 'bytesSent']) {
      assert.ok(field in report, `report lacks ${field}`)
    }
    assert.equal(report.peers, 5)
    assert.equal(report.neighbours, 'complete')
    assert.equal(report.threshold, 3)
    assert.equal(report.aborted, false)
    assert.equal(report.reason, null)
    assert.deepEqual(report.included, [0, 1, 2, 3, 4])
    assert.equal(report.weightSum, 9)
    const expected = [0, 1, 2].map((j) => vectors.reduce((s, v, i) => s + weights[i]! * v[j]!, 0))
    ;(report.sum as number[]).forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-3, `sum[${j}] = ${x}, expected ${expected[j]}`))
    assert.ok((report.maxAbsError as number) < 1e-3)
    assert.equal((report.bytesSent as number[]).length, 5)
  })

  it('an aborted round (too few survivors) is a valid outcome: exit 0, aborted with a reason, no sum', async () => {
    const outPath = join(dir, 'report.json')
    const { code, out } = await cli('simulate', '--peers', '5', '--dim', '4', '--complete', '--dropout', 'masked=3', '--emit-sum', '--out', outPath)
    assert.equal(code, 0)
    assert.match(out, /ABORTED/)
    const report = JSON.parse(readFileSync(outPath, 'utf8')) as Record<string, unknown>
    assert.equal(report.aborted, true)
    assert.equal(report.reason, 'too-few-survivors', 'two inputs left: a sum of two would expose each to the other')
    assert.equal(report.sum, undefined)
    assert.equal(report.weightSum, null)
    assert.deepEqual(report.included, [])
  })

  const bad: Array<[string, string[], RegExp]> = [
    ['missing --dim', ['--peers', '5'], /--peers and --dim are required/],
    ['a non-integer peer count', ['--peers', 'five', '--dim', '3'], /--peers must be an integer/],
    ['an odd degree', ['--peers', '20', '--dim', '3', '--neighbours', '5'], /--neighbours must be even/],
    ['both graph flags', ['--peers', '20', '--dim', '3', '--neighbours', '4', '--complete'], /either --neighbours K or --complete/],
    ['an unknown stage', ['--peers', '5', '--dim', '3', '--dropout', 'sharing=1'], /stage/],
    ['an unknown flag', ['--peers', '5', '--dim', '3', '--fast'], /--fast/],
    ['an unavailable transport', ['--peers', '5', '--dim', '3', '--transport', 'carrier-pigeon'], /--transport/],
    ['a threshold above n', ['--peers', '5', '--dim', '3', '--threshold', '9'], /--threshold/],
    ['a threshold unsafe against --max-corrupt', ['--peers', '7', '--dim', '3', '--complete', '--threshold', '4', '--max-corrupt', '2'], /unsafe against maxCorrupt c = 2.*Raise the threshold to ≥ 5/],
    ['more corrupt members than a sum can hide', ['--peers', '5', '--dim', '3', '--max-corrupt', '3'], /--max-corrupt/]
  ]
  for (const [what, args, message] of bad) {
    it(`exit 2 with a message naming the problem: ${what}`, async () => {
      const { code, err } = await cli('simulate', ...args)
      assert.equal(code, 2)
      assert.match(err, message)
    })
  }

  it('exit 2 for bad --inputs files, naming the file and the entry; --out is not written', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ vectors: [[1, 2]] }, /has 1 vectors, --peers is 3/],
      [{ vectors: [[1, 2], [1], [3, 4]] }, /vectors\[1\] must be an array of 2 numbers/],
      [{ vectors: [[1, 2], [1, 'x'], [3, 4]] }, /vectors\[1\]\[1\] is not a finite number/],
      [{ vectors: [[1, 2], [1, 2], [3, 4]], weights: [1, 0, 1] }, /weights\[1\] must be a positive integer/]
    ]
    for (const [content, message] of cases) {
      const path = join(dir, 'in.json')
      writeFileSync(path, JSON.stringify(content))
      const { code, err } = await cli('simulate', '--peers', '3', '--dim', '2', '--inputs', path, '--out', join(dir, 'r.json'))
      assert.equal(code, 2)
      assert.match(err, message)
      assert.match(err, /in\.json/)
      assert.ok(!existsSync(join(dir, 'r.json')))
    }
    writeFileSync(join(dir, 'broken.json'), '{"vectors": [')
    const { code, err } = await cli('simulate', '--peers', '3', '--dim', '2', '--inputs', join(dir, 'broken.json'))
    assert.equal(code, 2)
    assert.match(err, /cannot read it as JSON/)
  })

  it('the same seed gives the same report', async () => {
    const a = join(dir, 'a.json')
    const b = join(dir, 'b.json')
    await cli('simulate', '--peers', '12', '--dim', '8', '--dropout', 'share=1,consistency=1', '--seed', 'same', '--emit-sum', '--out', a)
    await cli('simulate', '--peers', '12', '--dim', '8', '--dropout', 'share=1,consistency=1', '--seed', 'same', '--emit-sum', '--out', b)
    const strip = (p: string): unknown => { const r = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>; delete r.wallMs; delete r.cpuMs; return r }
    assert.deepEqual(strip(a), strip(b))
  })

  it('the installed binary runs it: exit 0 with a report, exit 2 on a bad flag', async () => {
    const outPath = join(dir, 'report.json')
    const ok = await run(process.execPath, [BIN, 'simulate', '--peers', '4', '--dim', '2', '--out', outPath])
    assert.match(ok.stdout, /secagg simulate: 4 peers/)
    assert.equal((JSON.parse(readFileSync(outPath, 'utf8')) as { peers: number }).peers, 4)
    await assert.rejects(run(process.execPath, [BIN, 'simulate', '--peers', '4']), (err: { code: number, stderr: string }) => {
      assert.equal(err.code, 2)
      assert.match(err.stderr, /--dim are required/)
      return true
    })
  })
})
