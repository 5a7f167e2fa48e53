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
import type { Identity } from '../../src/node/config/identity.ts'
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

  it('a host whose fellow member is down logs dial-failed at warn level, and member-reachable once it is up', async () => {
    const rng = seededRandom('dial-failures')
    const self = await generateKeyPairFromSeed('Ed25519', rng(32))
    const downKey = await generateKeyPairFromSeed('Ed25519', rng(32))
    const down = peerIdFromPrivateKey(downKey).toString()
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const logged: Logged[] = []
    const selfId = peerIdFromPrivateKey(self).toString()
    const members = new Map([[selfId, []], [down, [`/ip4/127.0.0.1/tcp/${closed}`]]])
    const start = (identity: Identity, listen: string, logger: Logger): Promise<SwarmHost> => SwarmHost.start({
      identity, members, listen: [listen], bootstrap: [], mdns: false, maxMessageBytes: 1 << 20, logger, onMessage: () => {}
    })
    const waitFor = async (event: string): Promise<Logged> => {
      const deadline = Date.now() + 60_000
      while (!logged.some((l) => l.event === event) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
      const found = logged.find((l) => l.event === event)
      assert.ok(found !== undefined, `a ${event} record within a minute`)
      return found
    }
    const hosts: SwarmHost[] = []
    try {
      hosts.push(await start({ privateKey: self, peerId: selfId }, '/ip4/127.0.0.1/tcp/0', capturingLogger(logged)))
      const failed = await waitFor('dial-failed')
      assert.deepEqual([failed.level, failed.fields.peer, failed.fields.failures], ['warn', down, 1])
      // The member comes up where the consortium says it is: the first host redials it.
      hosts.push(await start({ privateKey: downKey, peerId: down }, `/ip4/127.0.0.1/tcp/${closed}`, capturingLogger([])))
      const back = await waitFor('member-reachable')
      assert.equal(back.fields.peer, down)
      assert.ok(Number(back.fields.afterFailedDials) >= 1)
    } finally {
      for (const h of hosts) await h.stop()
    }
  })
})
