/**
 * ATTACK (an attacker review), the end-to-end side of attack-dir-lock-race.spec.ts: once two
 * nodes both hold DIR/node.lock, does the control socket (opened right after the lock, in
 * NodeOps.open) still turn the second one away? In DIR/control/node.sock it usually does
 * (EADDRINUSE, or the first node's socket answers). But for a member directory whose path is
 * too long for a socket (the fallback under $TMPDIR), each node makes its own mkdtemp
 * directory and the pointer DIR/control/socket-path is only read before listening and
 * written after: two opens that overlap both succeed, the second pointer overwrites the
 * first, and `secagg status` sees only one of the two nodes (src/node/ops/control-server.ts,
 * ControlServer.open: `recorded` read at the top, `writeAtomic(pointer, ...)` at the end).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_SOCKET_PATH_BYTES, pointerPathIn, socketPathIn } from '../../src/node/ops/control-protocol.ts'
import { ControlServer } from '../../src/node/ops/control-server.ts'
import { lockMemberDir } from '../../src/node/store/dir-lock.ts'

describe('attack (review): two nodes and one long member directory', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'secagg-ctl-race-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('two nodes starting at once (lock, then control socket): only one listens', async () => {
    const dir = join(root, 'x'.repeat(MAX_SOCKET_PATH_BYTES))
    mkdirSync(dir, { recursive: true })
    // As secagg start does it: the directory's lock first, then the control socket.
    const locks: Array<{ release: () => void }> = []
    const node = async (name: string): Promise<ControlServer> => { locks.push(await lockMemberDir(dir)); return await ControlServer.open(dir, () => ({ node: name })) }
    const outcomes = await Promise.allSettled([node('B'), node('C')])
    const opened = outcomes.filter((o): o is PromiseFulfilledResult<ControlServer> => o.status === 'fulfilled').map((o) => o.value)
    try {
      console.log(`      opened: ${opened.length} of 2; paths: ${opened.map((s) => s.path).join(', ')}; pointer → ${readFileSync(pointerPathIn(dir), 'utf8').trim()}`)
      assert.ok(socketPathIn(dir).length > MAX_SOCKET_PATH_BYTES)
      assert.equal(opened.length, 1, 'ATTACK succeeded: both nodes listen; only one can be reached with secagg status')
    } finally {
      for (const s of opened) await s.close()
      for (const l of locks) l.release()
    }
  })

  it('control (held): in a short directory the second open is refused', async () => {
    const outcomes = await Promise.allSettled([ControlServer.open(root, () => ({})), ControlServer.open(root, () => ({}))])
    const opened = outcomes.filter((o): o is PromiseFulfilledResult<ControlServer> => o.status === 'fulfilled').map((o) => o.value)
    for (const s of opened) await s.close()
    console.log(`      short directory: ${outcomes.map((o) => o.status === 'fulfilled' ? 'listening' : (o.reason as Error).message.slice(0, 80)).join(' | ')}`)
    assert.equal(opened.length, 1)
  })
})

/**
 * ATTACK (an attacker review): the path recorded in DIR/control/socket-path (long-path
 * fallback) is trusted as it is, by `secagg status` (locateSocket → requestStatus) and by the
 * next start (ControlServer.open → removeStale(recorded)): neither checks that its directory
 * is this user's private mkdtemp directory. After a power loss or a crash the pointer stays;
 * once /tmp is emptied (a reboot with tmpfs /tmp, systemd-tmpfiles) any local user can
 * create /tmp/secagg-control-<same suffix>/node.sock (the name was listed in /tmp) and
 * then (a) `secagg status` shows what that user serves, (b) the node refuses to start ("a
 * node is already running") for as long as that user likes. The test plays the other user
 * with the same uid; the point is that nothing checks the owner.
 */
describe('attack (review): a recorded fallback socket path planted by another user', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'secagg-ctl-claim-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('is ignored: status does not ask it, and the next start is not blocked by it', async () => {
    const { requestStatus } = await import('../../src/node/ops/control-client.ts')
    const { createServer } = await import('node:net')
    const { writeFileSync } = await import('node:fs')
    const dir = join(root, 'y'.repeat(MAX_SOCKET_PATH_BYTES))
    mkdirSync(join(dir, 'control'), { recursive: true, mode: 0o700 })
    // What a crashed node leaves: the pointer to /tmp/secagg-control-XXXXXX/node.sock; /tmp was emptied since.
    const claimed = join(tmpdir(), 'secagg-control-AbC123')
    rmSync(claimed, { recursive: true, force: true })
    writeFileSync(pointerPathIn(dir), join(claimed, 'node.sock') + '\n')
    // The other local user recreates that directory, world-readable, with its own socket.
    mkdirSync(claimed, { mode: 0o777 })
    const conns = new Set<Socket>()
    const fake = createServer((s) => { conns.add(s); s.on('error', () => {}).end(JSON.stringify({ v: 1, ok: true, status: { peer: 'attacker-chosen', round: 999 } }) + '\n') })
    await new Promise<void>((resolve) => fake.listen(join(claimed, 'node.sock'), resolve))
    try {
      const status = await requestStatus(dir).then((st) => JSON.stringify(st), (err: Error) => `${err.name}: ${err.message}`)
      let start = 'started'
      try { await (await ControlServer.open(dir, () => ({}))).close() } catch (err) { start = (err as Error).message }
      console.log(`      secagg status shows: ${status}\n      the next start: ${start}`)
      assert.match(status, /^NoNodeError: no node is running/, 'status is never answered by a socket in a directory this user does not own privately')
      assert.equal(start, 'started', 'ATTACK succeeded: the planted socket keeps the node from starting')
    } finally {
      for (const c of conns) c.destroy()
      await new Promise<void>((resolve) => fake.close(() => resolve()))
      rmSync(claimed, { recursive: true, force: true })
    }
  })
})
