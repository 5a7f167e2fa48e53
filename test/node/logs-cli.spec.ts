/**
 * `secagg logs`: filters, JSON output, the per-round summary, a half-written last line
 * (node killed mid-write) reported and skipped, and --follow picking up appended records.
 */
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { followLog } from '../../src/node/cli/logs.ts'
import { createLogger } from '../../src/node/logger.ts'
import type { LogRecord } from '../../src/node/logger.ts'

const A = '12D3KooWAggregatorAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1'
const B = '12D3KooWAggregatorBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2'

describe('secagg logs', () => {
  let dir: string
  let log: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secagg-logs-'))
    log = join(dir, 'node.log')
    let second = 0
    const logger = createLogger({ file: log, now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, second++)) })
    logger.info('node-started', { peer: B })
    logger.info('round-start', { round: 0, attempt: 0, aggregator: A, role: 'participant' })
    logger.info('round-result', { round: 0, attempt: 0, aggregator: A, included: 3, weightSum: 3, includedSelf: true })
    logger.info('round-start', { round: 1, attempt: 0, aggregator: A, role: 'participant' })
    logger.warn('aggregator-failover', { round: 1, attempt: 0, silent: A, next: B, why: 'no message from the aggregator before the share deadline' })
    logger.info('round-start', { round: 1, attempt: 1, aggregator: B, role: 'aggregator' })
    logger.debug('stage', { round: 1, attempt: 1, role: 'aggregator', stage: 'share' })
    logger.info('round-result', { round: 1, attempt: 1, aggregator: B, included: 2, weightSum: 2, includedSelf: true })
    logger.info('round-start', { round: 2, attempt: 0, aggregator: B, role: 'aggregator' })
    appendFileSync(log, '{"time":"2026-11-23T10:00:09.000Z","level":"info","ev') // killed mid-write
  })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('prints readable lines, filtered by round, level, event, peer and time; reports the torn line', async () => {
    const all = await cli('logs', '--dir', dir)
    assert.equal(all.code, 0)
    assert.equal(all.out.trim().split('\n').length, 9)
    assert.match(all.err, /node\.log:10: not JSON \(a write cut short\?\); skipped/)
    assert.match(all.out, /2026-11-23T10:00:04\.000Z warn {2}aggregator-failover round=1 attempt=0 silent=12D3KooWAggregatorA+1 next=12D3KooWAggregatorB+2 why=no message/)
    const round1 = await cli('logs', '--dir', dir, '--round', '1')
    assert.equal(round1.out.trim().split('\n').length, 5)
    const warnings = await cli('logs', '--dir', dir, '--level', 'warn')
    assert.deepEqual(warnings.out.trim().split('\n').map((l) => l.split(/\s+/)[2]), ['aggregator-failover'])
    const events = await cli('logs', '--dir', dir, '--event', 'round-result,node-started')
    assert.equal(events.out.trim().split('\n').length, 3)
    const peer = await cli('logs', '--dir', dir, '--peer', B)
    assert.equal(peer.out.trim().split('\n').length, 5)
    const since = await cli('logs', '--dir', dir, '--since', '2026-11-23T10:00:07Z')
    assert.equal(since.out.trim().split('\n').length, 2)
    const json = await cli('logs', '--dir', dir, '--json', '--round', '0')
    assert.deepEqual(json.out.trim().split('\n').map((l) => (JSON.parse(l) as LogRecord).event), ['round-start', 'round-result'])
  })

  it('--summary: per round the aggregator of each attempt, each failover with its reason, and the outcome', async () => {
    const { code, out } = await cli('logs', '--dir', dir, '--summary')
    assert.equal(code, 0)
    assert.deepEqual(out.trim().split('\n'), [
      'round 0: aggregator …AAAAAAA1; result over 3 members, this node included',
      'round 1: aggregator …AAAAAAA1 → …BBBBBBB2 (this node); result over 2 members, this node included; 1 warning',
      `  failover attempt 0: ${A} → ${B} (no message from the aggregator before the share deadline)`,
      'round 2: aggregator …BBBBBBB2 (this node); not finished'
    ])
  })

  it('bad flags and a missing log: exit 2 naming the problem', async () => {
    for (const [argv, pattern] of [
      [['logs'], /--dir is required/],
      [['logs', '--dir', join(dir, 'nope')], /no log at .*nope\/node\.log; has 'secagg start --dir/],
      [['logs', '--dir', dir, '--round=-1'], /--round must be a non-negative integer/],
      [['logs', '--dir', dir, '--level', 'loud'], /--level must be one of debug, info, warn, error/],
      [['logs', '--dir', dir, '--since', 'yesterday'], /--since must be an ISO 8601 time/],
      [['logs', '--dir', dir, '--summary', '--follow'], /--summary cannot be combined/]
    ] as Array<[string[], RegExp]>) {
      const r = await cli(...argv)
      assert.equal(r.code, 2, argv.join(' '))
      assert.match(r.err, pattern)
    }
  })

  it('--follow: prints records as they are appended, completing a line written in two parts', async () => {
    writeFileSync(log, '')
    const seen: string[] = []
    const stop = new AbortController()
    const following = followLog(log, 0, (r) => seen.push(r.event), () => seen.push('BAD'), stop.signal, 20)
    appendFileSync(log, '{"time":"2026-11-23T10:00:00.000Z","level":"info","event":"round-start","round":5}\n{"time":"2026-11-23T10:00:01.000Z","le')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(seen, ['round-start'])
    appendFileSync(log, 'vel":"warn","event":"aggregator-failover","round":5}\n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    stop.abort()
    await following
    assert.deepEqual(seen, ['round-start', 'aggregator-failover'])
  })
})
