/**
 * `secagg logs`: filters, JSON output, the per-round summary, a half-written last line
 * (node killed mid-write) reported and skipped, and --follow picking up appended records;
 * several members merged into one timeline, restarts, round records filling in what a log
 * lacks, and the members absent from each round.
 */
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { seededPeerIds } from '../helpers/peer-ids.ts'
import { followLog, runLogsCommand } from '../../src/node/cli/logs.ts'
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
      'round 0: aggregator …AAAAAAA1; result over 3 members, this node included; weight sum 3',
      'round 1: aggregator …AAAAAAA1 → …BBBBBBB2 (this node); result over 2 members, this node included; weight sum 2; 1 warning',
      `  failover attempt 0: ${A} → ${B} (no message from the aggregator before the share deadline)`,
      'round 2: aggregator …BBBBBBB2 (this node); not finished'
    ])
  })

  it('bad flags and a missing log: exit 2 naming the problem', async () => {
    for (const [argv, pattern] of [
      [['logs'], /--dir is required .*or several: secagg logs m0 m1 m2/],
      [['logs', dir, join(dir, 'nope')], /no log at .*nope\/node\.log/],
      [['logs', dir, '--consortium', join(dir, 'nope.json')], /cannot read the consortium file .*nope\.json/],
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

/** One log line as the node writes it, at second `s` after 10:00. */
function line (s: number, level: string, event: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ time: new Date(Date.UTC(2026, 10, 23, 10, 0, s)).toISOString(), level, event, ...fields }) + '\n'
}

describe('secagg logs over several members', () => {
  let root: string
  let ids: string[]
  const dir = (i: number): string => join(root, `m${i}`)
  const record = (i: number, round: number, r: object): void => {
    mkdirSync(join(dir(i), 'rounds'), { recursive: true })
    writeFileSync(join(dir(i), 'rounds', `${round}.json`), JSON.stringify(r))
  }

  before(async () => { ids = await seededPeerIds('logs-cli-members', 3) })

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'secagg-logs-members-'))
    const [p0, p1, p2] = ids as [string, string, string]
    for (let i = 0; i < 3; i++) mkdirSync(dir(i))
    const started = (i: number, pid: number, resumeRound: number): Record<string, unknown> => ({ peer: ids[i], addresses: [`/ip4/127.0.0.1/tcp/${4000 + i}`], pid, resumeRound })
    // Round 0: m1 aggregates, everyone is in. Round 1: m0 was to aggregate and went down; m1
    // and m2 fail over to m2, which sums without m0 (m0 never shared keys). m0 restarts in
    // the middle of round 1; its log never says how round 1 ended, nor who aggregated its
    // round 2 — its round records do.
    writeFileSync(join(dir(0), 'node.log'), [
      line(0, 'info', 'node-started', started(0, 4100, 0)),
      line(1, 'info', 'round-start', { round: 0, attempt: 0, aggregator: p1, role: 'participant' }),
      line(5, 'info', 'round-result', { round: 0, attempt: 0, aggregator: p1, included: 3, weightSum: 3, includedSelf: true }),
      line(6, 'info', 'round-metrics', { round: 0, accuracy: 0.8125, auc: 0.9 }),
      line(7, 'info', 'round-start', { round: 1, attempt: 0, aggregator: p0, role: 'aggregator' }),
      line(20, 'info', 'node-started', started(0, 4242, 2)),
      line(31, 'info', 'input-clipped', { round: 2, coordinates: 1 })
    ].join(''))
    record(0, 0, { round: 0, attempt: 0, aggregator: p1, included: [p0, p1, p2].sort(), includedSelf: true, weightSum: 3, validation: { accuracy: 0.8125, auc: 0.9 } })
    record(0, 1, { round: 1, attempt: 1, aggregator: p2, included: [p1, p2].sort(), includedSelf: false, weightSum: 2 })
    record(0, 2, { round: 2, attempt: 0, aggregator: p0, included: [p0, p1, p2].sort(), includedSelf: true, weightSum: 30 })
    for (const i of [1, 2]) {
      writeFileSync(join(dir(i), 'node.log'), [
        line(0, 'info', 'node-started', started(i, 4100 + i, 0)),
        line(1, 'info', 'round-start', { round: 0, attempt: 0, aggregator: p1, role: i === 1 ? 'aggregator' : 'participant' }),
        ...(i === 1 ? [line(4, 'info', 'aggregated', { round: 0, attempt: 0, included: 3, droppedAfterSharing: 0, droppedAt: { consistency: [p2] } })] : []),
        line(5, 'info', 'round-result', { round: 0, attempt: 0, aggregator: p1, included: 3, weightSum: 3, includedSelf: true }),
        line(7, 'info', 'round-start', { round: 1, attempt: 0, aggregator: p0, role: 'participant' }),
        line(12, 'warn', 'aggregator-failover', { round: 1, attempt: 0, silent: p0, next: p2, why: 'no message from the aggregator before the share deadline' }),
        line(12, 'info', 'round-start', { round: 1, attempt: 1, aggregator: p2, role: i === 2 ? 'aggregator' : 'participant' }),
        ...(i === 2 ? [line(17, 'info', 'aggregated', { round: 1, attempt: 1, included: 2, droppedAfterSharing: 0, droppedAt: { share: [p0] } })] : []),
        line(18, 'info', 'round-result', { round: 1, attempt: 1, aggregator: p2, included: 2, weightSum: 2, includedSelf: true }),
        line(30, 'info', 'round-start', { round: 2, attempt: 0, aggregator: p0, role: 'participant' }),
        line(35, 'info', 'round-result', { round: 2, attempt: 0, aggregator: p0, included: 3, weightSum: 30, includedSelf: true })
      ].join(''))
    }
    writeFileSync(join(root, 'consortium.json'), JSON.stringify({
      consortium: 'demo',
      members: ids.map((peerId, i) => ({ peerId, name: ['alpha', 'beta', 'gamma'][i], addresses: [`/ip4/127.0.0.1/tcp/${4000 + i}`] })),
      protocol: { clip: 100, maxWeight: 10 },
      task: { type: 'vector-sum', dim: 4 }
    }))
  })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('one restarted member: its round records fill in the aggregator and outcome its log lacks; the restart is marked in place', async () => {
    const { code, out, err } = await cli('logs', '--dir', dir(0), '--summary')
    assert.equal(code, 0, err)
    const tail = (i: number): string => `…${ids[i]!.slice(-8)}`
    assert.deepEqual(out.trim().split('\n'), [
      `round 0: aggregator ${tail(1)}; result over 3 members, this node included; weight sum 3; accuracy 0.813`,
      `round 1: aggregator ${tail(0)} (this node); result over 2 members, this node NOT included (from rounds/1.json); weight sum 2`,
      '-- m0 restarted at 2026-11-23T10:00:20.000Z (pid 4242, /ip4/127.0.0.1/tcp/4000, next round 2) --',
      `round 2: aggregator ${tail(0)} (this node); result over 3 members, this node included (from rounds/2.json); weight sum 30`
    ])
    const named = await cli('logs', '--dir', dir(0), '--summary', '--consortium', join(root, 'consortium.json'))
    assert.match(named.out, /^round 0: aggregator beta; /m)
    assert.match(named.out, /^-- alpha restarted at /m)
  })

  it('a round known only from its round record (log truncated) is listed', async () => {
    writeFileSync(join(dir(0), 'node.log'), line(0, 'info', 'node-started', { peer: ids[0] }))
    const { out } = await cli('logs', dir(0), '--summary')
    assert.match(out, new RegExp(`^round 1: aggregator …${ids[2]!.slice(-8)}; result over 2 members, this node NOT included \\(from rounds/1\\.json\\); weight sum 2$`, 'm'))
    assert.equal(out.trim().split('\n').length, 3)
  })

  it('--summary over m0 m1 m2: one timeline, members named, absent members with the stage they dropped at, failovers with who saw them', async () => {
    const { code, out, err } = await cli('logs', dir(0), dir(1), dir(2), '--consortium', join(root, 'consortium.json'), '--summary')
    assert.equal(code, 0, err)
    assert.deepEqual(out.trim().split('\n'), [
      'round 0: aggregator beta; result over 3 members; weight sum 3; accuracy alpha 0.813; dropped after masking (input in the sum): gamma (consistency)',
      'round 1: aggregator alpha → gamma; result over 2 members; weight sum 2; absent: alpha (share); 2 warnings',
      '  failover attempt 0: alpha → gamma (no message from the aggregator before the share deadline) [beta, gamma]',
      '-- alpha restarted at 2026-11-23T10:00:20.000Z (pid 4242, /ip4/127.0.0.1/tcp/4000, next round 2) --',
      'round 2: aggregator alpha; result over 3 members; weight sum 30'
    ])
    // Without the consortium file: directory names, and the absent among the members given.
    const plain = await cli('logs', '--dir', dir(0), '--dir', dir(1), dir(2), '--summary', '--round', '1')
    assert.deepEqual(plain.out.trim().split('\n'), [
      'round 1: aggregator m0 → m2; result over 2 members; weight sum 2; absent: m0 (share); 2 warnings',
      '  failover attempt 0: m0 → m2 (no message from the aggregator before the share deadline) [m1, m2]',
      '-- m0 restarted at 2026-11-23T10:00:20.000Z (pid 4242, /ip4/127.0.0.1/tcp/4000, next round 2) --'
    ])
    // A member down for the whole round has no record of it, and is absent all the same.
    mkdirSync(join(root, 'anna'))
    writeFileSync(join(root, 'anna', 'node.log'), line(0, 'info', 'node-started', { peer: ids[0] }))
    record(1, 1, { round: 1, attempt: 1, aggregator: ids[2], included: [ids[1], ids[2]], includedSelf: true, weightSum: 2 })
    const down = await cli('logs', join(root, 'anna'), dir(1), '--summary', '--round', '1')
    assert.match(down.out, /^round 1: aggregator anna → …\S+; result over 2 members; weight sum 2; absent: anna; 1 warning$/m)
    // A member absent from a round with no aggregator log at hand: from the included list only.
    const noAggregator = await cli('logs', dir(0), dir(1), '--summary', '--round', '1')
    assert.match(noAggregator.out, /^round 1: aggregator m0 → …\S+; result over 2 members; weight sum 2; absent: m0; 1 warning$/m)
  })

  it('a member with no result: its own outcome under the round line', async () => {
    rmSync(join(dir(0), 'rounds', '2.json'))
    const { out } = await cli('logs', dir(0), dir(1), '--summary', '--round', '2')
    assert.deepEqual(out.trim().split('\n'), ['round 2: aggregator m0; result over 3 members; weight sum 30', '  m0: not finished'])
    // From 10:00:31 m2's log has only the result: the aggregator is the result's.
    const late = await cli('logs', dir(0), dir(2), '--summary', '--since', '2026-11-23T10:00:31Z')
    assert.deepEqual(late.out.trim().split('\n'), ['round 2: aggregator m0; result over 3 members; weight sum 30', '  m0: not finished'])
    mkdirSync(join(root, 'm3'))
    writeFileSync(join(root, 'm3', 'node.log'), line(30, 'info', 'round-start', { round: 2, attempt: 0, aggregator: ids[0], role: 'participant' }))
    const none = await cli('logs', dir(0), join(root, 'm3'), '--summary', '--round', '2')
    assert.deepEqual(none.out.trim().split('\n'), ['round 2: aggregator m0; no result', '  m0: not finished', '  m3: not finished'])
  })

  it('raw records of several members in time order, each labelled; filters and --json apply to the merged view', async () => {
    const results = await cli('logs', dir(0), dir(1), dir(2), '--event', 'round-result,node-started', '--round', '1')
    assert.deepEqual(results.out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' ')), [
      'm1 2026-11-23T10:00:18.000Z info', 'm2 2026-11-23T10:00:18.000Z info'
    ])
    const all = await cli('logs', dir(0), dir(1), dir(2), '--consortium', join(root, 'consortium.json'))
    const lines = all.out.trim().split('\n')
    assert.equal(lines.length, 7 + 10 + 10)
    const times = lines.map((l) => l.split(/\s+/)[1]!)
    assert.deepEqual(times, [...times].sort(), 'in time order')
    assert.match(lines[0]!, /^alpha 2026-11-23T10:00:00\.000Z info {2}node-started /)
    assert.match(lines.find((l) => l.includes('10:00:20'))!, /^alpha .* node-started .*pid=4242/)
    assert.match(lines.find((l) => l.includes('10:00:04'))!, /^beta {2}2026-11-23T10:00:04\.000Z info {2}aggregated /, 'labels are padded to one width')
    const warnings = await cli('logs', dir(0), dir(1), dir(2), '--level', 'warn', '--json')
    assert.deepEqual(warnings.out.trim().split('\n').map((l) => (JSON.parse(l) as LogRecord & { member: string }).member), ['m1', 'm2'])
    const twice = await cli('logs', dir(0), '--dir', `${dir(0)}/`)
    assert.deepEqual(twice.out.trim().split('\n').map((l) => l.slice(0, 4)), new Array(7).fill('2026'), 'a directory given twice is read once, as one member')
    const peer = await cli('logs', dir(1), dir(2), '--peer', ids[0]!, '--event', 'aggregated')
    assert.match(peer.out, /^m2 .* aggregated round=1 attempt=1 .*droppedAt=\{"share":\[/)
  })

  it('an unreadable round record is reported with its path and skipped', async () => {
    writeFileSync(join(dir(0), 'rounds', '7.json'), '{"round": 7,')
    const { code, out, err } = await cli('logs', dir(0), '--summary')
    assert.equal(code, 0)
    assert.match(err, /m0\/rounds\/7\.json: not a readable round record \(.*JSON.*\); skipped/)
    assert.match(out, /^round 2: /m)
  })

  it('--follow on several members prints each one\'s new records, labelled', async () => {
    let out = ''
    const stop = new AbortController()
    const following = runLogsCommand([dir(0), dir(2), '--follow', '--event', 'round-start'], { stdout: (t) => { out += t + '\n' }, stderr: () => {} }, stop.signal)
    const waitFor = async (what: RegExp): Promise<void> => {
      for (let i = 0; i < 600 && !what.test(out); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      assert.match(out, what)
    }
    try {
      await waitFor(/^m2 .*round-start round=2/m)
      appendFileSync(join(dir(2), 'node.log'), line(40, 'info', 'round-start', { round: 3, attempt: 0, aggregator: ids[1] }))
      appendFileSync(join(dir(0), 'node.log'), line(41, 'info', 'round-start', { round: 3, attempt: 0, aggregator: ids[1] }))
      await waitFor(/^m2 .*round-start round=3/m)
      await waitFor(/^m0 .*round-start round=3/m)
    } finally {
      stop.abort()
      await following
    }
  })
})
