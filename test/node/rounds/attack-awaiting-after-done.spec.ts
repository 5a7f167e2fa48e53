/**
 * ATTACK (review 4): state corruption — `awaiting` outlives the run. A member waiting at the
 * gate for round r that realigns (or resyncs, jumpTo) past its last round returns from
 * `reachedEnd` before `begin`, so `awaiting` stays set for round r after `rounds-done`.
 * Then `position` reports (r, a) instead of the end (members behind are answered with a stale
 * position, undoing the "left the last round" announcement alignment.ts relies on), and the
 * next `reachable()` report (any connection coming or going) or a POSITION for round r begins
 * the stale round r — a fresh session, need-input and an announcement, after `done`.
 */
import assert from 'node:assert/strict'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createEd25519Signer, seededRandom } from '../../../src/crypto/index.ts'
import { chooseGraph, planQuantization, uniformStageTimeouts } from '../../../src/protocol/index.ts'
import { RoundCoordinator } from '../../../src/round/coordinator.ts'
import type { CoordinatorAction } from '../../../src/round/coordinator-io.ts'
import { Frame, FrameType, Position } from '../../../src/round/wire/round.generated.ts'

describe('attack (review): the wait for members after the last round', function () {
  it('a gated member realigned past its last round begins no stale round on the next reachable() report', async () => {
    const n = 7
    const maxCorrupt = 2
    const rng = seededRandom('awaiting-after-done')
    const keys: Ed25519PrivateKey[] = []
    for (let i = 0; i < n; i++) keys.push(await generateKeyPairFromSeed('Ed25519', rng(32)))
    const ids = keys.map((k) => peerIdFromPrivateKey(k).toString())
    const graph = chooseGraph({ peers: n, maxCorrupt, neighbours: 'complete' })
    const c = new RoundCoordinator({
      self: ids[0]!, members: ids, signer: createEd25519Signer(keys[0]!.raw), signingKeys: new Map(ids.map((id, i) => [id, keys[i]!.publicKey.raw])),
      consortiumHash: new Uint8Array(32), maxCorrupt, neighbours: graph.neighbours, threshold: graph.threshold, dim: 3,
      quantization: planQuantization({ clip: 10, maxWeight: 10, members: n }), stageTimeouts: uniformStageTimeouts(1000), roundIntervalMs: 100, rounds: 2,
      timeouts: { modelFetchInterval: 4000, behindWait: 5000, statusReplies: 3000, modelFetch: 15000, resyncRetry: 5000, resultDelivery: 30000, echoWait: 5000 },
      policy: { decide: () => ({ kind: 'apply' }), resyncWhenBehind: false, binding: () => undefined }
    }, undefined, rng)
    const drain = (): CoordinatorAction[] => { const out: CoordinatorAction[] = []; for (let a = c.pollAction(); a !== undefined; a = c.pollAction()) out.push(a); return out }
    const position = (round: number, attempt: number, at: number): Uint8Array => Frame.encode({ version: 2, type: FrameType.POSITION, round: BigInt(round), attempt, payload: Position.encode({ at: BigInt(at) }) })
    // Member 0 reaches 4 of 7 (< 6): it waits at the gate for round 1.
    c.reachable(ids.slice(1, 4), 0)
    c.start(1, 0)
    drain()
    // Three members (k = max(c + 1, n − t) = 3) announce they have left the last round (round 2 = rounds).
    for (const i of [1, 2, 3]) c.receive(ids[i]!, position(2, 0, 100), 100)
    const acts = drain()
    assert.ok(acts.some((a) => a.kind === 'done'), 'member 0 follows the others past the last round (done)')
    const awaiting = (c as unknown as { awaiting?: { round: number } }).awaiting
    console.log('       after done: awaiting =', JSON.stringify(awaiting))
    // A member connects (any connection event): the stale round begins after done.
    c.reachable(ids.slice(1), 200)
    const after = drain()
    const starts = after.filter((a) => a.kind === 'log' && a.event === 'round-start').map((a) => (a as { fields: unknown }).fields)
    const inputs = after.filter((a) => a.kind === 'need-input')
    console.log('       after done, on reachable():', JSON.stringify(starts), 'need-input:', inputs.length)
    assert.equal(awaiting, undefined, 'awaiting is cleared when the run ends')
    assert.deepEqual(starts, [], 'no round begins after rounds-done')
  })
})
