/**
 * `secagg simulate --log-dir DIR`: a node.log per simulated peer that `secagg logs` reads,
 * stamped in virtual time, without changing the report; an operator's existing logs are
 * never overwritten.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LogRecord } from '../../src/node/logger.ts'
import { parseLogLines } from '../../src/node/logs/log-file.ts'
import { cli } from '../helpers/cli.ts'

const FLAGS = ['simulate', '--peers', '12', '--dim', '20', '--dropout', 'masked=1,unmask=1', '--expected-dropout', '0.2', '--seed', 'logs']

function records (dir: string, peer: string): LogRecord[] {
  const { records, bad } = parseLogLines(readFileSync(join(dir, peer, 'node.log'), 'utf8'))
  assert.deepEqual(bad, [])
  return records
}

describe('secagg simulate --log-dir', function () {
  this.timeout(60_000)
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-simlog-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('writes one node.log per peer, in virtual time, that secagg logs reads; the report is the one without logs', async () => {
    const logs = join(dir, 'logs')
    const withLogs = await cli(...FLAGS, '--out', join(dir, 'with.json'), '--log-dir', logs)
    assert.equal(withLogs.code, 0, withLogs.err)
    const without = await cli(...FLAGS, '--out', join(dir, 'without.json'))
    assert.equal(without.code, 0, without.err)
    const report = (name: string): Record<string, unknown> => {
      const fields = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>
      delete fields.wallMs // wall time and real CPU time differ between any two runs
      delete fields.cpuMs
      return fields
    }
    assert.deepEqual(report('with.json'), report('without.json'))
    const r = report('with.json') as { aggregator: number, droppedAt: Record<string, number[]>, included: number[], stageMs: Record<string, number> }
    assert.deepEqual(readdirSync(logs).sort(), Array.from({ length: 12 }, (_, i) => `peer-${String(i).padStart(4, '0')}`))

    const name = (i: number): string => `peer-${String(i).padStart(4, '0')}`
    const agg = records(logs, name(r.aggregator))
    const start = agg.find((x) => x.event === 'round-start')!
    assert.equal(start.role, 'aggregator')
    const result = agg.find((x) => x.event === 'round-result')!
    assert.deepEqual([result.aggregator, result.included, result.includedSelf], [name(r.aggregator), r.included.length, true])
    assert.ok(agg.some((x) => x.event === 'aggregated' && x.droppedAfterSharing === 1))
    // Virtual time: the aggregator enters consistency after advertise + share + masked (the
    // masked stage waits out its 10 s deadline for the dropped peer), stamped from the start.
    const consistency = agg.find((x) => x.event === 'stage' && x.role === 'aggregator' && x.stage === 'consistency')!
    const elapsed = Date.parse(consistency.time) - Date.parse(start.time)
    assert.ok(Math.abs(elapsed - (r.stageMs.advertise! + r.stageMs.share! + r.stageMs.masked!)) <= 2, `${elapsed} ms of virtual time to consistency, stageMs ${JSON.stringify(r.stageMs)}`)
    assert.ok(elapsed >= 10_000)

    const dropped = records(logs, name(r.droppedAt.masked![0]!))
    assert.deepEqual(dropped.filter((x) => x.event === 'simulated-dropout').map((x) => x.stage), ['masked'])
    const participant = records(logs, name(r.included.find((i) => i !== r.aggregator && !(r.droppedAt.unmask ?? []).includes(i))!))
    assert.deepEqual(participant.filter((x) => x.event === 'stage').map((x) => x.stage), ['advertise', 'share', 'masked', 'consistency', 'unmask', 'done'])

    const summary = await cli('logs', '--dir', join(logs, name(r.aggregator)), '--summary')
    assert.equal(summary.code, 0, summary.err)
    assert.match(summary.out, new RegExp(`round 0: aggregator ${name(r.aggregator)} \\(this node\\); result over ${r.included.length} members, this node included`))
  })

  it('refuses a --log-dir that exists and is not empty, and leaves it as it was; an empty one is used', async () => {
    const logs = join(dir, 'logs')
    mkdirSync(logs)
    writeFileSync(join(logs, 'node.log'), 'an operator\'s log\n')
    const refused = await cli(...FLAGS, '--log-dir', logs)
    assert.equal(refused.code, 2)
    assert.match(refused.err, /--log-dir .*logs exists and is not empty; give a new or empty directory/)
    assert.deepEqual(readdirSync(logs), ['node.log'])
    assert.equal(readFileSync(join(logs, 'node.log'), 'utf8'), 'an operator\'s log\n')

    const file = await cli(...FLAGS, '--log-dir', join(logs, 'node.log'))
    assert.equal(file.code, 2)
    assert.match(file.err, /exists and is not a directory/)

    const empty = join(dir, 'empty')
    mkdirSync(empty)
    const ok = await cli(...FLAGS, '--log-dir', empty)
    assert.equal(ok.code, 0, ok.err)
    assert.equal(readdirSync(empty).length, 12)
  })

  it('a run refused before it starts (an unsafe threshold) leaves the new --log-dir empty, so the corrected command can use it', async () => {
    const logs = join(dir, 'logs')
    const refused = await cli(...FLAGS, '--complete', '--threshold', '3', '--log-dir', logs)
    assert.equal(refused.code, 2)
    assert.match(refused.err, /threshold/)
    assert.deepEqual(readdirSync(logs), [])
    const ok = await cli(...FLAGS, '--complete', '--log-dir', logs)
    assert.equal(ok.code, 0, ok.err)
    assert.equal(readdirSync(logs).length, 12)
  })

  it('--task train refuses --log-dir, naming it', async () => {
    const { code, err } = await cli('simulate', '--task', 'train', '--dataset', 'synthetic', '--peers', '3', '--rounds', '1', '--log-dir', join(dir, 'logs'))
    assert.equal(code, 2)
    assert.match(err, /--log-dir .* --task train does not write them/)
  })
})
