/**
 * `dial-failed`: an unreachable member is reported at warn level, at most once a minute per
 * member with the count held back (a member that is down is redialled every few seconds).
 * The rate limit runs on an injected clock; the host test dials a closed port on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { seededRandom } from '../../src/crypto/index.ts'
import type { Fields, Level, Logger } from '../../src/node/logger.ts'
import { DialFailureLog } from '../../src/node/net/dial-failure-log.ts'
import { SwarmHost } from '../../src/node/net/host.ts'
import { VirtualClock } from '../../src/node/sim/virtual-clock.ts'

interface Logged { readonly level: Level, readonly event: string, readonly fields: Fields }

function capturingLogger (into: Logged[]): Logger {
  const log = (level: Level) => (event: string, fields: Fields = {}): void => { into.push({ level, event, fields }) }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

describe('dial-failed warnings', function () {
  this.timeout(120_000)

  it('first failure at once, then at most one warning per minute per member with the failures held back', () => {
    const clock = new VirtualClock()
    const logged: Logged[] = []
    const failures = new DialFailureLog(capturingLogger(logged), () => clock.now())
    const advance = (ms: number): void => { clock.setTimeout(() => {}, ms); clock.step() }
    failures.failed('A', 'connection refused')
    for (let i = 0; i < 10; i++) { advance(5_000); failures.failed('A', 'connection refused') } // t = 50 s
    failures.failed('B', 'timeout')
    assert.deepEqual(logged.map((l) => [l.level, l.event, l.fields.peer, l.fields.suppressed]), [['warn', 'dial-failed', 'A', undefined], ['warn', 'dial-failed', 'B', undefined]])
    advance(10_000) // t = 60 s: a minute since A's first warning
    failures.failed('A', 'connection refused')
    assert.equal(logged.length, 3)
    assert.deepEqual({ ...logged[2]!.fields, why: undefined }, { peer: 'A', error: 'connection refused', failures: 12, suppressed: 10, why: undefined })
    assert.match(String(logged[2]!.fields.why), /^10 more failed dial\(s\) .*\(at most one warning per 60 s\)$/)
    // Reachable again: the next outage is reported at once.
    assert.equal(failures.connected('A'), 12)
    advance(1_000)
    failures.failed('A', 'connection refused')
    assert.equal(logged.length, 4)
    assert.deepEqual([logged[3]!.fields.failures, logged[3]!.fields.suppressed], [1, undefined])
    assert.equal(failures.connected('C'), 0)
  })

  it('a host whose fellow member is down logs dial-failed at warn level', async () => {
    const rng = seededRandom('dial-failures')
    const self = await generateKeyPairFromSeed('Ed25519', rng(32))
    const down = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', rng(32))).toString()
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const logged: Logged[] = []
    const selfId = peerIdFromPrivateKey(self).toString()
    const host = await SwarmHost.start({
      identity: { privateKey: self, peerId: selfId },
      members: new Map([[selfId, []], [down, [`/ip4/127.0.0.1/tcp/${closed}`]]]),
      listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, maxMessageBytes: 1 << 20,
      logger: capturingLogger(logged), onMessage: () => {}
    })
    try {
      const deadline = Date.now() + 60_000
      while (!logged.some((l) => l.event === 'dial-failed') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      const failed = logged.filter((l) => l.event === 'dial-failed')
      assert.ok(failed.length > 0, 'a dial-failed record within a minute')
      assert.equal(failed[0]!.level, 'warn')
      assert.equal(failed[0]!.fields.peer, down)
      assert.equal(failed[0]!.fields.failures, 1)
    } finally {
      await host.stop()
    }
  })
})
