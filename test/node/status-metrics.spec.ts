/**
 * `secagg status` over the control socket and `secagg start --metrics`, against real
 * `secagg start` processes on 127.0.0.1 (stopped in afterEach, even when a test fails).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'
import type { NodeStatus } from '../../src/node/ops/node-status.ts'

async function status (dir: string): Promise<NodeStatus> {
  const { code, out, err } = await cli('status', '--dir', dir, '--json')
  assert.equal(code, 0, err)
  return JSON.parse(out) as NodeStatus
}

describe('secagg status and --metrics with running members', function () {
  this.timeout(300_000)
  let swarm: TestSwarm
  beforeEach(() => { swarm = new TestSwarm() })
  afterEach(async () => { await swarm.teardown() })

  it('status matches the round file, /metrics counts the round and carries libp2p\'s metrics; the socket is owner-only and gone after stop', async () => {
    // A long pause after each round keeps the members idle (and connected) while we look.
    await swarm.init(3, 4, 1500, { stages: { advertise: 15_000 }, roundIntervalMs: 120_000 })
    swarm.start(0, 2, ['--metrics', '127.0.0.1:0'])
    swarm.start(1, 2)
    swarm.start(2, 2)
    const dir = swarm.members[0]!.dir
    await swarm.waitFor(() => swarm.roundFile(0, 0) !== undefined, 120_000, 'round 0 on member 0')
    const record = swarm.roundFile(0, 0)!

    const s = await status(dir)
    assert.equal(s.peer, swarm.members[0]!.peerId)
    assert.equal(s.consortium, 'test-consortium')
    assert.ok(s.addresses.some((a) => a.includes(`/tcp/${swarm.members[0]!.port}`)), s.addresses.join(' '))
    assert.equal(s.members.total, 3)
    assert.deepEqual(s.members.connected.map((m) => m.peerId).sort(), [swarm.members[1]!.peerId, swarm.members[2]!.peerId].sort())
    assert.equal(s.current, undefined, 'between rounds')
    assert.equal(s.nextRound, 1)
    assert.deepEqual(
      { round: s.lastResult?.round, outcome: s.lastResult?.outcome, included: s.lastResult?.included, weightSum: s.lastResult?.weightSum, aggregator: s.lastResult?.aggregator, includedSelf: s.lastResult?.includedSelf },
      { round: 0, outcome: 'completed', included: (record.included as string[]).length, weightSum: record.weightSum, aggregator: record.aggregator, includedSelf: record.includedSelf })
    assert.equal(s.counters.completed, 1)
    assert.ok(s.counters.bytesSent > 0 && s.counters.bytesReceived > 0)
    assert.match(s.metrics ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/)

    const text = await cli('status', '--dir', dir)
    assert.match(text.out, /^members +2\/2 connected/m)
    assert.match(text.out, /^last result +round 0 \(attempt \d+\): completed over 3 members, weight sum 3/m)

    const res = await fetch(s.metrics!)
    assert.equal(res.status, 200)
    const metrics = await res.text()
    assert.match(metrics, /^secagg_rounds_total\{outcome="completed",reason="none"\} 1$/m)
    assert.match(metrics, /^secagg_connected_members 2$/m)
    assert.match(metrics, /^secagg_stage_duration_seconds_count\{role="participant",stage="masked"\} [1-9]\d*$/m)
    assert.match(metrics, /^secagg_frame_bytes_total\{direction="sent",member="12D3KooW\w+"\} [1-9]\d*$/m)
    assert.match(metrics, /^libp2p_\w+/m, 'libp2p\'s own metrics')
    assert.match(metrics, /^process_cpu_user_seconds_total /m)

    // The aggregator logged whom it lost at each stage (nobody here), for the dropout metrics.
    const aggregatorIndex = swarm.members.findIndex((m) => m.peerId === record.aggregator)
    const aggregated = swarm.log(aggregatorIndex).split('\n').filter((l) => l.includes('"event":"aggregated"')).map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.deepEqual(aggregated.map((a) => [a.round, a.droppedAt]), [[0, {}]])

    const socket = join(dir, 'control', 'node.sock')
    assert.equal(statSync(socket).mode & 0o777, 0o600)
    assert.equal(statSync(join(dir, 'control')).mode & 0o777, 0o700)

    swarm.processes.get(0)!.kill('SIGTERM')
    assert.equal(await swarm.waitExit(0, 60_000), 0)
    assert.equal(existsSync(socket), false, 'the socket is removed on stop')
    const gone = await cli('status', '--dir', dir)
    assert.equal(gone.code, 1)
    assert.equal(gone.err, `no node is running in ${dir} (no control socket)\n`)
  })

  it('--metrics on a port in use: one line naming --metrics and the port, exit 2; a non-loopback address needs --metrics-public', async () => {
    await swarm.init(3, 4, 1500)
    const busy: Server = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const m = swarm.members[0]!
      const taken = await cli('start', '--dir', m.dir, '--consortium', swarm.consortiumPath, '--metrics', `127.0.0.1:${port}`)
      assert.equal(taken.code, 2)
      assert.equal(taken.err, `secagg start: --metrics 127.0.0.1:${port}: port ${port} is already in use; choose another port\n`)
      assert.equal(existsSync(join(m.dir, 'control', 'node.sock')), false, 'nothing left behind')
      const open = await cli('start', '--dir', m.dir, '--consortium', swarm.consortiumPath, '--metrics', '0.0.0.0:9464')
      assert.equal(open.code, 2)
      assert.match(open.err, /--metrics 0\.0\.0\.0:9464 is not a loopback address; .* add --metrics-public/)
    } finally {
      busy.close()
    }
  })
})

describe('secagg status without a node', () => {
  it('exits 1 with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secagg-status-'))
    try {
      const { code, out, err } = await cli('status', '--dir', dir)
      assert.equal(code, 1)
      assert.equal(out, '')
      assert.equal(err, `no node is running in ${dir} (no control socket)\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
