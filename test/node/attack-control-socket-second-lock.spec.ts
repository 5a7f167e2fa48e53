/**
 * ATTACK (review ops-review), the end-to-end side of attack-dir-lock-race.spec.ts: once two
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
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_SOCKET_PATH_BYTES, pointerPathIn, socketPathIn } from '../../src/node/ops/control-protocol.ts'
import { ControlServer } from '../../src/node/ops/control-server.ts'

describe('ATTACK (currently succeeds): the control socket is no second lock for a long member directory', () => {
  let root: string
  beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'secagg-ctl-race-')) })
  afterEach(() => { rmSync(root, { recursive: true, force: true }) })

  it('ATTACK (currently succeeds): two nodes opening the control socket of one long directory at once both listen', async () => {
    const dir = join(root, 'x'.repeat(MAX_SOCKET_PATH_BYTES))
    mkdirSync(dir, { recursive: true })
    const outcomes = await Promise.allSettled([ControlServer.open(dir, () => ({ node: 'B' })), ControlServer.open(dir, () => ({ node: 'C' }))])
    const opened = outcomes.filter((o): o is PromiseFulfilledResult<ControlServer> => o.status === 'fulfilled').map((o) => o.value)
    try {
      console.log(`      opened: ${opened.length} of 2; paths: ${opened.map((s) => s.path).join(', ')}; pointer → ${readFileSync(pointerPathIn(dir), 'utf8').trim()}`)
      assert.ok(socketPathIn(dir).length > MAX_SOCKET_PATH_BYTES)
      assert.equal(opened.length, 1, 'ATTACK succeeded: both nodes listen; only one can be reached with secagg status')
    } finally {
      for (const s of opened) await s.close()
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
