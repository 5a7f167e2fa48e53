/**
 * The node monitor without processes: fed log records, round records and host events on a
 * fake clock, it reports the node's state and tells its listener (the Prometheus metrics)
 * with bounded labels; free-text reasons map to a few kinds.
 */
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { createLogger } from '../../src/node/logger.ts'
import type { Fields } from '../../src/node/logger.ts'
import { monitoredLogger, monitoredStore } from '../../src/node/ops/monitor-taps.ts'
import { NodeMonitor } from '../../src/node/ops/node-monitor.ts'
import { nodeMetrics } from '../../src/node/ops/node-metrics.ts'
import { formatStatus } from '../../src/node/ops/status-format.ts'
import { abortReasonOf, failoverReasonOf, roundEndOf } from '../../src/node/ops/reason-kinds.ts'
import { MemoryStore } from '../../src/node/store/memory-store.ts'

const A = '12D3KooWAggregatorAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1'
const B = '12D3KooWMemberBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2'
const C = '12D3KooWMemberCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC3'
const STRANGER = '12D3KooWStrangerXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX9'

function setup (): { monitor: NodeMonitor, clock: { t: number }, registry: Registry } {
  const clock = { t: Date.UTC(2026, 11, 2, 9, 0, 0) }
  const monitor = new NodeMonitor({ self: A, consortium: 'demo', members: [{ peerId: A, name: 'alpha' }, { peerId: B, name: 'beta' }, { peerId: C }], now: () => clock.t })
  const registry = new Registry()
  monitor.listen(nodeMetrics(registry, 2))
  return { monitor, clock, registry }
}

describe('node monitor', () => {
  it('follows a round through the log and its record: current stage, stage durations, last result, counters', async () => {
    const { monitor, clock, registry } = setup()
    const logger = monitoredLogger(createLogger({}), monitor)
    const store = monitoredStore(new MemoryStore(), monitor, logger)
    logger.info('node-started', { peer: A, addresses: ['/ip4/127.0.0.1/tcp/4000'], consortium: 'demo' })
    monitor.onConnection(B, true)
    monitor.onConnection(C, true)
    monitor.onConnection(C, false)
    monitor.onConnection(STRANGER, true)
    logger.info('round-start', { round: 3, attempt: 1, aggregator: A, role: 'aggregator' })
    logger.debug('stage', { round: 3, attempt: 1, role: 'participant', stage: 'advertise' })
    clock.t += 1500
    logger.debug('stage', { round: 3, attempt: 1, role: 'participant', stage: 'share' })
    logger.debug('stage', { round: 3, attempt: 1, role: 'aggregator', stage: 'share' })

    let s = monitor.status()
    assert.deepEqual(s.current, { round: 3, attempt: 1, role: 'aggregator', aggregator: A, stage: 'share', aggregatorStage: 'share', since: '2026-12-02T09:00:00.000Z' })
    assert.deepEqual(s.members, { total: 3, connected: [{ peerId: B, name: 'beta' }] })
    assert.deepEqual(s.addresses, ['/ip4/127.0.0.1/tcp/4000'])

    // droppedAt is an object: the driver passes the coordinator's fields on as they are (swarm-node.ts).
    logger.info('aggregated', { round: 3, attempt: 1, included: 2, droppedAfterSharing: 1, droppedAt: { masked: [C], consistency: [B, STRANGER], unmask: [C] } } as Record<string, unknown> as Fields)
    clock.t += 250
    logger.info('round-result', { round: 3, attempt: 1, aggregator: A, included: 2, weightSum: 7, includedSelf: true })
    assert.equal(monitor.status().current?.stage, 'applying the result')
    clock.t += 5000 // the task applies the result (training: evaluates the new model)
    store.saveRound(3, { round: 3, attempt: 1, aggregator: A, included: [A, B], weightSum: 7, includedSelf: true, sum: [1.5, -2] })
    s = monitor.status()
    assert.equal(s.current, undefined)
    assert.equal(s.nextRound, 4)
    assert.deepEqual(s.lastResult, { round: 3, attempt: 1, outcome: 'completed', aggregator: A, included: 2, weightSum: 7, includedSelf: true, at: '2026-12-02T09:00:06.750Z' })
    assert.equal(JSON.stringify(s).includes('1.5'), false, 'the sum is never kept')
    assert.equal(s.counters.completed, 1)
    assert.equal(s.counters.aggregated, 1)

    const text = await registry.metrics()
    assert.match(text, /^secagg_connected_members 1$/m)
    assert.match(text, /^secagg_rounds_total\{outcome="completed",reason="none"\} 1$/m)
    assert.match(text, /^secagg_stage_duration_seconds_sum\{role="participant",stage="advertise"\} 1\.5$/m)
    // The share stage was still open when the result was confirmed: it ends there, not when the record is written.
    assert.match(text, /^secagg_stage_duration_seconds_sum\{role="participant",stage="share"\} 0\.25$/m)
    assert.match(text, new RegExp(`^secagg_dropouts_total\\{stage="masked",member="${C}"\\} 1$`, 'm'))
    assert.match(text, new RegExp(`^secagg_dropouts_total\\{stage="consistency",member="${B}"\\} 1$`, 'm'))
    assert.equal(text.includes(STRANGER), false, 'ids outside the consortium never become labels')
    assert.equal(text.includes('secagg_validation_accuracy'), false, 'no model, no accuracy')
  })

  it('counts skips, aborts, failovers and a late result once each, with bounded reasons', async () => {
    const { monitor, registry } = setup()
    monitor.onLog('warn', 'aggregator-failover', { round: 0, attempt: 0, silent: B, next: C, why: 'no message from the aggregator before the share deadline' })
    monitor.onLog('warn', 'participant-aborted', { round: 0, attempt: 1, reason: 'not-enough-peers', detail: '2 members' })
    monitor.onLog('warn', 'participant-aborted', { round: 0, attempt: 1, reason: 'made-up; by a future version' })
    monitor.onLog('warn', 'aggregation-aborted', { round: 0, attempt: 1, reason: 'too-few-survivors' })
    monitor.onRoundRecord(0, { round: 0, attempt: 1, aborted: true, reason: 'skipped: no result after this member sent its masked input' })
    monitor.onRoundRecord(0, { round: 0, attempt: 1, included: [A, B, C], weightSum: 3 })
    monitor.onRoundRecord(1, { round: 1, attempt: 2, aborted: true, reason: 'given up after 3 attempts without a result' })
    monitor.onLog('info', 'round-metrics', { round: 1, accuracy: 0.875 })
    const s = monitor.status()
    assert.deepEqual([s.counters.completed, s.counters.skipped, s.counters.aborted, s.counters.failovers, s.counters.participantAborts, s.counters.aggregationAborts], [0, 1, 1, 1, 2, 1])
    assert.deepEqual(s.lastResult && { round: s.lastResult.round, outcome: s.lastResult.outcome, reason: s.lastResult.reason }, { round: 1, outcome: 'aborted', reason: 'given up after 3 attempts without a result' })
    assert.deepEqual(s.validation, { round: 1, accuracy: 0.875 })
    const text = await registry.metrics()
    for (const line of [
      'secagg_rounds_total{outcome="skipped",reason="no-result"} 1',
      'secagg_rounds_total{outcome="late-result",reason="none"} 1',
      'secagg_rounds_total{outcome="aborted",reason="given-up"} 1',
      'secagg_failovers_total{reason="timeout"} 1',
      'secagg_session_aborts_total{role="participant",reason="not-enough-peers"} 1',
      'secagg_session_aborts_total{role="participant",reason="other"} 1',
      'secagg_session_aborts_total{role="aggregator",reason="too-few-survivors"} 1',
      'secagg_validation_accuracy 0.875'
    ]) assert.ok(text.split('\n').includes(line), `missing: ${line}`)
    assert.match(formatStatus(s), /^last result {2}round 1 \(attempt 2\): aborted: given up after 3 attempts without a result$/m)
  })

  it('shows a node waiting for members, whom it misses, and why it gave up', () => {
    const { monitor, clock } = setup()
    monitor.onLog('info', 'waiting-for-members', { round: 0, reachable: '1/3', needed: 3, missing: [B, C], reason: 'a round needs 3 of the 3 members' })
    clock.t += 1000
    monitor.onLog('info', 'waiting-for-members', { round: 0, reachable: '2/3', needed: 3, missing: [C], reason: 'a round needs 3 of the 3 members' })
    const s = monitor.status()
    assert.deepEqual(s.waiting, { round: 0, reachable: '2/3', needed: 3, missing: [{ peerId: C }], since: '2026-12-02T09:00:00.000Z' })
    assert.match(formatStatus(s), /^round +waiting for members before round 0: 2\/3 reachable, a round needs 3; missing …CCCCCCC3 \(since 2026-12-02T09:00:00.000Z\)$/m)
    monitor.onLog('info', 'members-reachable', { round: 0, reachable: '3/3', needed: 3 })
    assert.equal(monitor.status().waiting, undefined)
    monitor.onLog('error', 'node-failed', { round: 4, reason: 'no usable input of this member\'s own for 3 rounds in a row' })
    assert.match(formatStatus(monitor.status()), /^failed +no usable input of this member's own for 3 rounds in a row$/m)
  })

  it('a failing listener is logged as monitor-error and never reaches the node', () => {
    const monitor = new NodeMonitor({ self: A, consortium: 'demo', members: [{ peerId: A }, { peerId: B }] })
    monitor.listen({ roundStarted: () => { throw new Error('listener broke') } })
    const lines: string[] = []
    const logger = monitoredLogger(createLogger({ level: 'debug', stderr: (l) => lines.push(l) }), monitor)
    logger.info('round-start', { round: 0, attempt: 0, aggregator: B, role: 'participant' })
    assert.equal(lines.length, 2)
    assert.match(lines[1]!, /error monitor-error error=listener broke/)
    assert.equal(monitor.status().current?.round, 0)
  })
})

describe('reason kinds', () => {
  it('maps every round-record reason the coordinator writes to a kind, anything else to other', () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ included: [] }, 'completed', 'none'],
      [{ applied: false, reason: 'not in this session: the model is resynchronised from the other members' }, 'completed', 'not-in-session'],
      [{ aborted: true, reason: 'sat out: input unchanged since an earlier round' }, 'skipped', 'input-unchanged'],
      [{ aborted: true, reason: 'skipped: input already sent in attempt 2' }, 'skipped', 'input-already-sent'],
      [{ aborted: true, reason: 'skipped: no result after this member sent its masked input' }, 'skipped', 'no-result'],
      [{ aborted: true, reason: 'skipped: waiting for members (2 of 5 reachable, a round needs 4)' }, 'skipped', 'waiting-for-members'],
      [{ aborted: true, reason: 'skipped: the members moved on to round 9' }, 'skipped', 'moved-on'],
      [{ aborted: true, reason: 'skipped: a reason added later' }, 'skipped', 'other'],
      [{ aborted: true, reason: 'input-unavailable' }, 'aborted', 'input-unavailable'],
      [{ aborted: true, reason: 'could not record a promise: ENOSPC' }, 'aborted', 'promise-not-recorded'],
      [{ aborted: true, reason: 'round 4: the masked input already went to attempt 1' }, 'skipped', 'input-already-sent'],
      [{ aborted: true, reason: 'result could not be applied: disk full' }, 'aborted', 'not-applied'],
      [{ aborted: true, reason: 'a result arrived but fewer than 3 members echoed it' }, 'aborted', 'unconfirmed'],
      [{ aborted: true, reason: 'given up after 5 attempts without a result' }, 'aborted', 'given-up'],
      [{ aborted: true, reason: 'something new' }, 'aborted', 'other'],
      [{ aborted: true }, 'aborted', 'other']
    ]
    for (const [record, outcome, reason] of cases) assert.deepEqual(roundEndOf(record), { outcome, reason }, JSON.stringify(record))
  })

  it('maps failover whys and abort reasons to bounded sets', () => {
    assert.equal(failoverReasonOf('no message from the aggregator before the share deadline'), 'timeout')
    assert.equal(failoverReasonOf('no result before the participant\'s unmask deadline'), 'no-result')
    assert.equal(failoverReasonOf('sat out an attempt that produced no result'), 'sat-out')
    assert.equal(failoverReasonOf('aggregator aborted: not-enough-peers'), 'aggregator-aborted')
    assert.equal(failoverReasonOf({ evil: 'label' }), 'other')
    assert.equal(abortReasonOf('decryption-failed'), 'decryption-failed')
    assert.equal(abortReasonOf('toString'), 'other')
    assert.equal(abortReasonOf(undefined), 'other')
  })
})
