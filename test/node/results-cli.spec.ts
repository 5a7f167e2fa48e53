/**
 * `secagg results`: the member's round records as a table sorted by round, CSV with a header
 * row and JSON; aggregators by name with --consortium; an unreadable record reported with its
 * path and skipped; a missing directory refused (exit 2).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { seededPeerIds } from '../helpers/peer-ids.ts'

describe('secagg results', () => {
  let root: string
  let dir: string
  let ids: string[]
  const tail = (i: number): string => `…${ids[i]!.slice(-8)}`

  before(async () => { ids = await seededPeerIds('results-cli', 3) })

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'secagg-results-'))
    dir = join(root, 'm0')
    mkdirSync(join(dir, 'rounds'), { recursive: true })
    const write = (name: string, text: string): void => writeFileSync(join(dir, 'rounds', name), text)
    const [p0, p1, p2] = ids as [string, string, string]
    write('0.json', JSON.stringify({ round: 0, attempt: 0, aggregator: p1, included: [p0, p1, p2], includedSelf: true, weightSum: 1800, modelHash: 'ab', validation: { accuracy: 0.8125, auc: 0.90625, sensitivity: 0.8, specificity: 0.82, samples: 64 } }))
    write('1.json', JSON.stringify({ round: 1, attempt: 2, aggregator: p2, aborted: true, reason: 'result could not be applied: disk full, try again' }))
    write('2.json', JSON.stringify({ round: 2, attempt: 0, aggregator: p0, aborted: true, reason: 'skipped: the members moved on to round 3' }))
    write('10.json', JSON.stringify({ round: 10, attempt: 1, aggregator: p0, included: [p0, p2], includedSelf: true, weightSum: 1200, validation: { accuracy: 0.875, auc: 0.9375 } }))
    write('3.json', '{"round": 3, "attem') // torn by hand: the node writes atomically
    write('4.json.tmp-123', '{') // an atomic write in progress is not a record yet
    writeFileSync(join(root, 'consortium.json'), JSON.stringify({
      consortium: 'demo',
      members: ids.map((peerId, i) => ({ peerId, name: ['alpha', 'beta', 'gamma'][i] })),
      protocol: { clip: 100, maxWeight: 10 },
      task: { type: 'vector-sum', dim: 4 }
    }))
  })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('a table sorted by round; accuracy and AUC for the train task; an unreadable record reported and skipped', async () => {
    const { code, out, err } = await cli('results', '--dir', dir)
    assert.equal(code, 0, err)
    assert.deepEqual(out.trim().split('\n'), [
      'round  attempt  aggregator  included  outcome                                                     weight sum  accuracy  AUC',
      `0      0        ${tail(1)}   3         result                                                      1800        0.813     0.906`,
      `1      2        ${tail(2)}   -         aborted: result could not be applied: disk full, try again  -           -         -`,
      `2      0        ${tail(0)}   -         skipped: the members moved on to round 3                    -           -         -`,
      `10     1        ${tail(0)}   2         result                                                      1200        0.875     0.938`
    ])
    assert.match(err, /m0\/rounds\/3\.json: not a readable round record \(.*JSON.*\); skipped/)
    assert.doesNotMatch(err, /tmp-123/)
  })

  it('--csv with a header row (fields with commas quoted), --json, and names from --consortium', async () => {
    const csv = await cli('results', '--dir', dir, '--csv', '--consortium', join(root, 'consortium.json'))
    assert.equal(csv.code, 0)
    assert.deepEqual(csv.out.trim().split('\n'), [
      'round,attempt,aggregator,included,outcome,weightSum,accuracy,auc',
      '0,0,beta,3,result,1800,0.8125,0.90625',
      '1,2,gamma,,"aborted: result could not be applied: disk full, try again",,,',
      '2,0,alpha,,skipped: the members moved on to round 3,,,',
      '10,1,alpha,2,result,1200,0.875,0.9375'
    ])
    const json = await cli('results', '--dir', dir, '--json')
    const rows = JSON.parse(json.out) as Array<Record<string, unknown>>
    assert.deepEqual(rows.map((r) => r.round), [0, 1, 2, 10])
    assert.deepEqual(rows[0], { round: 0, attempt: 0, aggregator: tail(1), included: 3, outcome: 'result', weightSum: 1800, accuracy: 0.8125, auc: 0.90625 })
  })

  it('vector-sum rounds: no metric columns; no rounds yet: says so', async () => {
    for (const name of ['0.json', '10.json', '3.json']) rmSync(join(dir, 'rounds', name))
    const { out } = await cli('results', '--dir', dir)
    assert.match(out.split('\n')[0]!, /^round {2}attempt {2}aggregator {2}included {2}outcome +weight sum$/)
    rmSync(join(dir, 'rounds'), { recursive: true })
    const empty = await cli('results', '--dir', dir)
    assert.equal(empty.code, 0)
    assert.match(empty.out, /no round records in .*m0\/rounds yet/)
  })

  it('a missing directory or bad flags: exit 2 naming the problem', async () => {
    for (const [argv, pattern] of [
      [['results'], /--dir is required/],
      [['results', '--dir', join(root, 'nope')], /no member directory at .*nope; give the directory made by 'secagg init'/],
      [['results', '--dir', dir, '--csv', '--json'], /--csv and --json cannot be combined/],
      [['results', '--dir', dir, '--tsv'], /Unknown option '--tsv'/],
      [['results', '--dir', dir, '--consortium', join(root, 'nope.json')], /cannot read the consortium file/]
    ] as Array<[string[], RegExp]>) {
      const r = await cli(...argv)
      assert.equal(r.code, 2, argv.join(' '))
      assert.match(r.err, pattern)
    }
  })
})
