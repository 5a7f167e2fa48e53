/**
 * `npm run sim:accuracy -- --smoke`: the whole study (every cell secure and plain, charts,
 * write-up) on a tiny synthetic set, checked for the shape readers and charts rely on.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StudyResults } from '../../simulations/lib/accuracy-run.ts'
import { runAccuracyStudy } from '../../simulations/lib/accuracy-study.ts'

describe('simulations: accuracy over rounds (sim:accuracy --smoke)', function () {
  this.timeout(300_000)
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-sim-accuracy-')) })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('runs every cell secure and plain and writes results.json, the charts and the write-up', async () => {
    const lines: string[] = []
    assert.equal(await runAccuracyStudy(['--smoke', '--out', dir], { log: (l) => lines.push(l) }), 0)
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as StudyResults
    assert.equal(results.study, 'accuracy')
    assert.equal(results.size, 'smoke')
    assert.equal(results.machine.node, process.version)
    assert.ok(results.wallMs > 0 && results.cpuMs > 0)
    assert.deepEqual(results.cells.map((c) => c.id), ['synthetic-iid-none', 'synthetic-iid-masked1', 'synthetic-dirichlet0.5-none', 'synthetic-dirichlet0.5-masked1'])
    for (const cell of results.cells) {
      assert.equal(cell.secure.mode, 'secure')
      assert.equal(cell.plain.mode, 'plain')
      assert.equal(cell.secure.initialModelHash, cell.plain.initialModelHash, `${cell.id}: both runs start from the same model`)
      assert.equal(cell.secure.rounds.length, cell.rounds)
      assert.equal(cell.plain.rounds.length, cell.rounds)
      assert.equal(cell.secure.partition, cell.partition)
      const s = cell.summary
      assert.equal(s.finalAccuracy.secure, cell.secure.rounds.at(-1)!.test.accuracy)
      assert.equal(s.finalAccuracy.plain, cell.plain.rounds.at(-1)!.test.accuracy)
      assert.ok(s.maxAccuracyGap >= 0 && s.maxAccuracyGap <= 1)
      assert.ok(s.maxDeviationFromPlain! <= s.maxQuantizationStep! * (1 + 1e-9), `${cell.id}: secure mean within the quantization step`)
      // One member dropped at the masked stage each round is out of both means.
      assert.equal(s.excludedMemberRounds, cell.dropout === 'none' ? 0 : cell.rounds, cell.id)
      cell.secure.rounds.forEach((r, k) => assert.deepEqual(cell.plain.rounds[k]!.included, r.included))
      // The DP arm: IID cells only, the same seed, ε reported after every round and growing.
      if (cell.partition !== 'iid') { assert.equal(cell.private, undefined, cell.id); continue }
      assert.equal(cell.private!.length, 1, cell.id)
      const run = cell.private![0]!
      assert.equal(run.noiseMultiplier, 1)
      assert.equal(run.report.initialModelHash, cell.secure.initialModelHash)
      assert.equal(run.rounds.length, cell.rounds)
      const eps = run.rounds.map((r) => r.epsilon!)
      assert.ok(eps.every((e, k) => e > 0 && (k === 0 || e > eps[k - 1]!)), `${cell.id}: ε grows every round (${eps.join(', ')})`)
      assert.equal(run.epsilon, eps.at(-1))
      assert.equal(run.rounds[0]!.survivors, cell.dropout === 'none' ? cell.peers : cell.peers - 1)
    }
    assert.ok(lines.some((l) => /^synthetic-iid-none: final test accuracy secure [\d.]+%, plain [\d.]+%/.test(l)))

    const svg = readFileSync(join(dir, 'accuracy-synthetic.svg'), 'utf8')
    const lineMarks = svg.match(/aria-roledescription="line mark"/g) ?? []
    assert.equal(lineMarks.length, 4 * 2 * 2, 'per scenario and metric, a secure and a plain line')
    for (const text of ['Secure aggregation vs plain FedAvg: synthetic', 'synthetic chest X-rays (smoke', 'test accuracy', 'test AUC', 'IID, dropout masked=1', 'non-IID α = 0.5, no dropout', 'Max |secure − plain| test accuracy']) {
      assert.ok(svg.includes(text), `the curves chart holds '${text}'`)
    }
    for (const file of ['accuracy-synthetic.png', 'deviation.svg', 'deviation.png', 'privacy-synthetic.svg', 'privacy-synthetic.png']) assert.ok(existsSync(join(dir, file)), file)
    const privacySvg = readFileSync(join(dir, 'privacy-synthetic.svg'), 'utf8')
    for (const text of ['The utility cost of DP: synthetic', 'secure + DP, σ = 1', 'ε spent so far']) assert.ok(privacySvg.includes(text), `the privacy chart holds '${text}'`)
    const doc = readFileSync(join(dir, 'accuracy.md'), 'utf8')
    assert.match(doc, /!\[[^\]]*\]\(accuracy-synthetic\.png\)/)
    assert.match(doc, /!\[[^\]]*\]\(deviation\.png\)/)
    assert.match(doc, /!\[[^\]]*\]\(privacy-synthetic\.png\)/)
    assert.match(doc, /\| synthetic \| IID, no dropout \| [\d.]+% \| [\d.]+% \| σ = 1: [\d.]+% \| [\d.]+ \|/)
    assert.ok(doc.includes(`Node ${process.version}`))
  })

  it('--redraw draws again from results.json without training; bad flags are UsageErrors', async () => {
    rmSync(join(dir, 'deviation.png'))
    const lines: string[] = []
    assert.equal(await runAccuracyStudy(['--smoke', '--out', dir, '--redraw'], { log: (l) => lines.push(l) }), 0)
    assert.ok(existsSync(join(dir, 'deviation.png')))
    assert.ok(!lines.some((l) => l.includes('round 0')), 'nothing trained')
    await assert.rejects(runAccuracyStudy(['--smoke', '--full'], { log: () => {} }), (e: Error) => e.name === 'UsageError' && /exclude each other/.test(e.message))
    await assert.rejects(runAccuracyStudy(['--smoke', '--out', join(dir, 'none'), '--redraw'], { log: () => {} }), (e: Error) => e.name === 'UsageError' && /run without --redraw first/.test(e.message))
  })
})
