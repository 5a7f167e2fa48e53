/**
 * Bounded work: a junk RESULT frame used to cost a ranking of all members and a pre-session
 * id over all of them before any check (8.7 ms per 3-byte frame at n = 1000, against 0.08 ms
 * for a junk SESSION frame). Now the aggregator's signature is checked first; the count of
 * member-list lookups a junk frame costs is the deterministic measure here.
 */
import type { Ed25519PrivateKey } from '@libp2p/interface'
import assert from 'node:assert/strict'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createEd25519Signer, seededRandom } from '../../../src/crypto/index.ts'
import { chooseGraph, defaultMaxCorrupt, planQuantization, uniformStageTimeouts } from '../../../src/protocol/index.ts'
import { RoundCoordinator } from '../../../src/round/coordinator.ts'
import { Frame, FrameType } from '../../../src/round/wire/round.generated.ts'

class CountingMap<K, V> extends Map<K, V> {
  lookups = 0
  override get (k: K): V | undefined { this.lookups++; return super.get(k) }
}

describe('attack: junk RESULT frames for far-off rounds cost O(1) in the consortium size', function () {
  this.timeout(120_000)

  it('n = 300: a 3-byte RESULT frame for round 10^12 costs no lookup of the member list (like SESSION and ECHO frames)', async () => {
    const n = 300
    const rng = seededRandom('result-cost')
    const keys: Ed25519PrivateKey[] = []
    for (let i = 0; i < n; i++) keys.push(await generateKeyPairFromSeed('Ed25519', rng(32)))
    const ids = keys.map((k) => peerIdFromPrivateKey(k).toString())
    const signingKeys = new CountingMap(ids.map((id, i) => [id, keys[i]!.publicKey.raw] as [string, Uint8Array]))
    const maxCorrupt = defaultMaxCorrupt(n)
    const graph = chooseGraph({ peers: n, maxCorrupt, neighbours: 'auto' })
    const coordinator = new RoundCoordinator({
      self: ids[0]!, members: ids, signer: createEd25519Signer(keys[0]!.raw), signingKeys,
      consortiumHash: new Uint8Array(32), maxCorrupt, neighbours: graph.neighbours, threshold: graph.threshold, dim: 4,
      quantization: planQuantization({ clip: 10, maxWeight: 10, members: n }), stageTimeouts: uniformStageTimeouts(1000), roundIntervalMs: 100,
      timeouts: { modelFetchInterval: 4000, behindWait: 5000, statusReplies: 3000, modelFetch: 15000, resyncRetry: 5000, resultDelivery: 30000, echoWait: 5000 },
      policy: { decide: () => ({ kind: 'apply' }), resyncWhenBehind: false, binding: () => undefined }
    }, undefined, rng)
    coordinator.start(0, 0)
    while (coordinator.pollAction() !== undefined) { /* drain */ }
    const junk = (type: FrameType, k: number): Uint8Array => Frame.encode({ version: 2, type, round: BigInt(1e12 + k), attempt: k % 1000, payload: new Uint8Array([1, 2, 3]) })
    const cost = (type: FrameType): { lookups: number, ms: number } => {
      const frames = 50
      signingKeys.lookups = 0
      const t0 = performance.now()
      for (let k = 0; k < frames; k++) {
        coordinator.receive(ids[1]!, junk(type, k), 1)
        while (coordinator.pollAction() !== undefined) { /* drain */ }
      }
      return { lookups: signingKeys.lookups / frames, ms: (performance.now() - t0) / frames }
    }
    const session = cost(FrameType.SESSION)
    const echo = cost(FrameType.ECHO)
    const result = cost(FrameType.RESULT)
    const detail = `per junk frame: SESSION ${session.lookups} lookups ${session.ms.toFixed(3)} ms, ECHO ${echo.lookups} lookups ${echo.ms.toFixed(3)} ms, RESULT ${result.lookups} lookups ${result.ms.toFixed(3)} ms`
    assert.ok(session.lookups <= 2 && echo.lookups <= 2, detail)
    assert.ok(result.lookups <= 4, `a junk RESULT frame for a far-off round is not O(1): ${detail}`)
  })
})
