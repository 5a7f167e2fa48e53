/**
 * `secagg start` as an operator meets it: one node per member directory (a lock file with the
 * pid; a crashed node's lock is taken over), a port already in use, and the node's own view
 * of `--rounds` — each a one-line message naming the problem and the fix, exit 2.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cli } from '../helpers/cli.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'

describe('secagg start: lock, ports, exit codes', function () {
  this.timeout(180_000)
  let swarm: TestSwarm
  beforeEach(() => { swarm = new TestSwarm() })
  afterEach(async () => { await swarm.teardown() })

  it('a second node on a running member\'s directory is refused (exit 2, one line naming the pid); the lock goes when the node stops', async () => {
    await swarm.init(3, 4, 1500)
    const m0 = swarm.members[0]!
    const child = swarm.start(0, 1)
    const lock = join(m0.dir, 'node.lock')
    await swarm.waitFor(() => existsSync(lock) && /node-started/.test(swarm.log(0)), 60_000, 'member 0 to start')
    const held = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }
    assert.equal(held.pid, child.pid)
    const logBefore = swarm.log(0)
    const second = await cli('start', '--dir', m0.dir, '--consortium', swarm.consortiumPath, '--listen', '/ip4/127.0.0.1/tcp/0')
    assert.equal(second.code, 2)
    assert.equal(second.err.trim().split('\n').length, 1, second.err)
    assert.match(second.err, new RegExp(`is in use by another node \\(pid ${child.pid}, since .*\\); .*Stop it first`))
    assert.equal(swarm.log(0).slice(0, logBefore.length), logBefore, 'the refused node wrote nothing to the member\'s log')
    assert.ok(existsSync(lock), 'the refused node left the lock of the running one alone')
    child.kill('SIGTERM')
    assert.equal(await swarm.waitExit(0, 60_000), 0)
    assert.ok(!existsSync(lock), 'a node stopped by a signal removes its lock')
  })

  it('a lock left by a crashed node is taken over, and the log says so', async () => {
    await swarm.init(3, 4, 1500)
    const m0 = swarm.members[0]!
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!
    writeFileSync(join(m0.dir, 'node.lock'), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00.000Z' }))
    const child = swarm.start(0, 1)
    await swarm.waitFor(() => /stale-lock-recovered/.test(swarm.log(0)), 60_000, 'the stale lock to be taken over')
    assert.match(swarm.log(0), new RegExp(`"pid":${dead}`))
    assert.equal((JSON.parse(readFileSync(join(m0.dir, 'node.lock'), 'utf8')) as { pid: number }).pid, child.pid)
  })

  it('a port already in use: exit 2, one line naming the address, the port and where it came from — no stack, no libp2p advice', async () => {
    await swarm.init(3, 4, 1500)
    swarm.start(0, 1)
    await swarm.waitFor(() => /node-started/.test(swarm.log(0)), 60_000, 'member 0 to listen')
    const port = swarm.members[0]!.port
    const r = await cli('start', '--dir', swarm.members[1]!.dir, '--consortium', swarm.consortiumPath, '--listen', `/ip4/127.0.0.1/tcp/${port}`)
    assert.equal(r.code, 2)
    assert.equal(r.err.trim().split('\n').length, 1, r.err)
    assert.match(r.err, new RegExp(`cannot listen on /ip4/127\\.0\\.0\\.1/tcp/${port}: port ${port} is already in use .*\\(--listen\\)`))
    assert.doesNotMatch(r.err, /faultTolerance|at .*\.js/)
    assert.ok(!existsSync(join(swarm.members[1]!.dir, 'node.lock')), 'the failed start released the member\'s lock')
  })

  it('a member whose own input is broken: the error names its input file, and after --max-input-failures rounds it exits 1 (not 0)', async () => {
    await swarm.init(3, 4, 1500)
    const bad = swarm.members[2]!
    writeFileSync(join(bad.dir, 'inputs', '0.json'), '{"vector": [1, 2')
    for (let i = 0; i < 3; i++) swarm.start(i, 3, i === 2 ? ['--max-input-failures', '1'] : [])
    assert.equal(await swarm.waitExit(2, 120_000), 1)
    assert.match(bad.stderr, /secagg start: no usable input of this member's own for 1 round in a row \(last: cannot read the vector-sum input .*inputs\/0\.json: /)
    assert.match(swarm.log(2), /"event":"input-unavailable"/)
  })

  it('numbers: --rounds and --until-round exclude each other; --startup-wait and --max-input-failures are range-checked', async () => {
    await swarm.init(3, 4, 1500)
    const dir = swarm.members[0]!.dir
    const base = ['start', '--dir', dir, '--consortium', swarm.consortiumPath]
    const both = await cli(...base, '--rounds', '2', '--until-round', '5')
    assert.equal(both.code, 2)
    assert.match(both.err, /exclude each other/)
    const wait = await cli(...base, '--startup-wait', '1.5')
    assert.equal(wait.code, 2)
    assert.match(wait.err, /--startup-wait must be an integer in \[0, /)
  })
})
