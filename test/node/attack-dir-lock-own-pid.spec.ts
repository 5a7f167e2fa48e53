/**
 * An attacker review (liveness, operations): the stale-lock check asks only "does a process
 * with the recorded pid run on this host" (dir-lock.ts, running(held.pid)). A lock left by a
 * crashed node whose pid is now THIS process's own pid — every restart of a container whose
 * node runs as pid 1, or pid reuse after a reboot — is taken for a live node: the restarted
 * node refuses its own directory ("in use by another node (pid 1) ... kill 1") until someone
 * deletes node.lock by hand. The converse, on a shared volume between two containers with the
 * same hostname (pid namespaces), is a takeover while the holder runs; not run here.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { lockMemberDir } from '../../src/node/store/dir-lock.ts'

describe('attack (review): a crashed node\'s lock that carries the restarted node\'s own pid', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'secagg-lock-pid-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('the restarted node (same pid as the crashed one) takes its directory', async () => {
    writeFileSync(join(dir, 'node.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-12-01T00:00:00.000Z' }) + '\n')
    let outcome = 'locked'
    try { (await lockMemberDir(dir)).release() } catch (err) { outcome = `${(err as Error).name}: ${(err as Error).message}` }
    console.log(`      ${outcome}`)
    assert.equal(outcome, 'locked', 'the lock of a node that is not running was not recovered')
  })
})
