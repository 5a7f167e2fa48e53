/**
 * Attacks on the round rules (who joins which attempt, which result counts), run against real
 * SwarmNodes on a virtual clock. The attacker is a member: its own node runs honestly except
 * for what the test's tap and rogue session driver make it do.
 */
import assert from 'node:assert/strict'
import { createEd25519Signer } from '../../../src/crypto/index.ts'
import { Aggregator, bitmapIds, decodeMessage, encodeMessage, openSession, unpackSignatures } from '../../../src/protocol/index.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { Frame, FrameType, SignedResult } from '../../../src/round/wire/round.generated.ts'
import { encodeSignedResult } from '../../../src/round/signed-result.ts'

const frame = (type: FrameType, round: number, attempt: number, payload: Uint8Array): Uint8Array =>
  Frame.encode({ version: 2, type, round: BigInt(round), attempt, payload: payload as Uint8Array<ArrayBuffer> })

/** Round 0's first aggregator A, and a later attempt of round 0 aggregated by another member X. */
function laterAggregator (s: NodeSwarm): { A: string, attempt: number, X: string } {
  const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
  const attempt = [1, 2, 3, 4].find((a) => aggregatorFor(s.consortium.hash, 0, a, s.ids) !== A)!
  return { A, attempt, X: aggregatorFor(s.consortium.hash, 0, attempt, s.ids) }
}

describe('attack: round coordination', function () {
  this.timeout(60_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => { await swarm?.teardown(); swarm = undefined })

  it('difference attack: an aggregator withholding its result cannot pull members into a second attempt with the same input', async () => {
    const n = 7 // t = 4: with the victim dropped, the six others still complete attempt n
    swarm = await NodeSwarm.create({ members: n, seed: 'difference', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 }, stageMs: 1000 })
    const s = swarm
    const attacker = s.ids.indexOf(aggregatorFor(s.consortium.hash, 0, 0, s.ids))
    const M = s.ids[attacker]!
    const second = n // ranking[n mod n]: the attacker aggregates this attempt too
    assert.equal(aggregatorFor(s.consortium.hash, 0, second, s.ids), M)
    const victim = s.ids[(attacker + 1) % n]!
    const node = await (async () => { for (let i = 0; i < n; i++) await s.start(i); return s.nodes[attacker]! })()
    // The attacker's aggregator for the second attempt, fed by the tap.
    const rogue = new Aggregator(node.sessionConfig(0, second, M), { id: M, signer: createEd25519Signer(s.identity(attacker).privateKey.raw) })
    const rogueResults: Array<{ included: readonly string[], sum: Float64Array }> = []
    const pump = (): void => {
      for (let o = rogue.pollOutbound(); o !== undefined; o = rogue.pollOutbound()) s.net.send(M, o.to, frame(FrameType.SESSION, 0, second, o.data))
      for (let e = rogue.pollEvent(); e !== undefined; e = rogue.pollEvent()) if (e.type === 'result') rogueResults.push({ included: e.result.included, sum: e.result.sum })
      const deadline = rogue.pollTimeout()
      if (deadline !== undefined) s.clock.setTimeout(() => { rogue.handleTimeout(s.clock.now()); pump() }, deadline - s.clock.now())
    }
    let started = false
    const maskedAttempts = new Map<string, Set<number>>()
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      if (f.type === FrameType.SESSION && from !== M) {
        const m = decodeMessage(f.payload, { maxPeers: n, vectorWords: 4 })
        if (m.ok && m.message.kind === 'masked-input') {
          const set = maskedAttempts.get(from) ?? new Set<number>()
          set.add(f.attempt)
          maskedAttempts.set(from, set)
          if (from === victim && f.attempt === second) return undefined // drop the victim after its masked input
        }
      }
      if (from === M && f.round >= 1n) return undefined // the attacker's node keeps quiet after round 0
      if (from === M && f.type === FrameType.RESULT && f.round === 0n) {
        if (!started) {
          started = true
          rogue.start(s.clock.now())
          pump()
          // One SESSION frame of the second attempt to every member.
          s.clock.setTimeout(() => { for (const peer of s.ids) if (peer !== M) s.net.send(M, peer, frame(FrameType.SESSION, 0, second, new Uint8Array([1]))) }, 1)
        }
        return undefined // withheld: the attacker keeps Σ over attempt 0 to itself
      }
      if (to === M && f.type === FrameType.SESSION && f.round === 0n && f.attempt === second) {
        rogue.receive(from, f.payload, s.clock.now())
        pump()
        return undefined
      }
      return data
    }
    try { await s.runUntil(() => rogueResults.length > 0 || s.ids.every((_, i) => i === attacker || s.roundFile(i, 0) !== undefined), 200_000, 'round 0 to end') } catch (e) { for (let i = 0; i < n; i++) console.log(i, i === attacker, s.logs[i]!.filter((x) => x.level !== 'debug').map((x) => x.event + ' ' + JSON.stringify(x.fields)).join('\n  ')); throw e }
    // What the attacker would learn: Σ over attempt 0 (its own round file) minus Σ over the
    // second attempt minus its own input is the victim's input.
    if (rogueResults.length > 0) {
      const first = s.roundFile(attacker, 0)!.sum as number[]
      const recovered = first.map((x, j) => x - rogueResults[0]!.sum[j]! - s.inputOf(attacker, 0)[j]!)
      const truth = s.inputOf(s.ids.indexOf(victim), 0)
      assert.ok(!recovered.every((x, j) => Math.abs(x - truth[j]!) < 1e-3), `the victim's input ${truth.join()} was recovered exactly`)
    }
    const twice = [...maskedAttempts].filter(([, attempts]) => attempts.size > 1).map(([peer]) => peer)
    assert.deepEqual(twice, [], 'members sent a masked input in two attempts of one round')
    assert.deepEqual(rogueResults, [], 'the attacker unmasked a second sum over the same inputs')
  })

  it('result forgery: a member re-signing another session\'s consistency signatures as its own attempt\'s result is rejected', async () => {
    const n = 5
    swarm = await NodeSwarm.create({ members: n, seed: 'forgery', dim: 3, rounds: 1, protocol: { maxCorrupt: 0 } })
    const s = swarm
    // The forger: the member that aggregates some later attempt of round 0.
    const { A, attempt: forgedAttempt, X: F } = laterAggregator(s)
    const signer = createEd25519Signer(s.identity(s.ids.indexOf(F)).privateKey.raw)
    const forgedSum = [400, -400, 42] // inside ±clip·Σw = ±500: only the binding can catch it
    let forged = false
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      if (!forged && to === F && from === A && f.type === FrameType.SESSION) {
        const m = decodeMessage(f.payload, { maxPeers: n, vectorWords: 4 })
        if (m.ok && m.message.kind === 'unmask-request') {
          forged = true
          const sortedIds = [...s.ids].sort()
          const result = encodeSignedResult({
            round: 0, attempt: forgedAttempt, aggregator: F, sessionId: m.message.binding, keysRoot: new Uint8Array(32),
            included: bitmapIds(sortedIds, m.message.survivors), sum: Float64Array.from(forgedSum), weightSum: bitmapIds(sortedIds, m.message.survivors).length,
            signatures: unpackSignatures(sortedIds, m.message)
          }, signer)
          for (const peer of s.ids) if (peer !== F) s.net.send(F, peer, frame(FrameType.RESULT, 0, forgedAttempt, result))
        }
      }
      return data
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 0) !== undefined), 120_000, 'round 0 everywhere')
    assert.ok(forged, 'the forger saw the unmask request')
    for (let i = 0; i < n; i++) {
      const file = s.roundFile(i, 0)!
      assert.notDeepEqual(file.sum, forgedSum, `member ${i} applied the forged result`)
      assert.equal(file.aggregator, A)
    }
    assert.ok(s.ids.some((id, i) => id !== F && s.events(i, 'result-rejected').length > 0), 'the forged result is rejected with a reason')
    void SignedResult
  })

  for (const [n, fooledCount] of [[5, 2], [7, 1]] as const) {
    it(`split result (n = ${n}, ${fooledCount} shown a fake): an aggregator announcing different in-bounds sums to different members gets at most one applied`, async () => {
      swarm = await NodeSwarm.create({ members: n, seed: `split-result-${n}`, dim: 3, rounds: 1, protocol: { maxCorrupt: 0 } })
      const s = swarm
      const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
      const signer = createEd25519Signer(s.identity(s.ids.indexOf(A)).privateKey.raw)
      const fooled = new Set(s.ids.filter((id) => id !== A).slice(0, fooledCount))
      const fakeSum = [11, -7, 3] // within ±clip·Σw: no member can tell on its own
      s.net.tap = (from, to, data) => {
        const f = Frame.decode(data)
        if (from !== A || f.type !== FrameType.RESULT || !fooled.has(to)) return data
        // The same session, included set and consistency signatures, another sum, re-signed.
        const r = SignedResult.decode(f.payload)
        const forged = encodeSignedResult({
          round: Number(r.round), attempt: r.attempt, aggregator: r.aggregator, sessionId: r.sessionId, keysRoot: r.keysRoot,
          included: r.included, sum: Float64Array.from(fakeSum), weightSum: Number(r.weightSum), signatures: r.signatures
        }, signer)
        return frame(FrameType.RESULT, Number(r.round), r.attempt, forged)
      }
      for (let i = 0; i < n; i++) await s.start(i)
      await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 0) !== undefined), 120_000, 'round 0 everywhere')
      const sums = new Set(s.ids.map((_, i) => JSON.stringify(s.roundFile(i, 0)!.sum ?? null)).filter((x) => x !== 'null'))
      assert.ok(sums.size <= 1, `members applied different sums for one round: ${[...sums].join(' / ')}`)
      for (const id of fooled) assert.equal(s.roundFile(s.ids.indexOf(id), 0)!.sum, undefined, 'a member applied the sum only it was shown')
      const unconfirmed = s.ids.filter((_, i) => s.events(i, 'result-unconfirmed').length > 0).length
      if (n === 7) {
        // Six honest echoes reach the quorum (Q = 5): everyone but the fooled member applies the true sum.
        const honest = s.ids.filter((id) => !fooled.has(id))
        for (const id of honest) assert.ok(s.roundFile(s.ids.indexOf(id), 0)!.sum !== undefined, `member ${id} did not apply the sum most members were shown`)
        assert.equal(unconfirmed, fooledCount)
      } else {
        // Three echoes of the true sum and two of the fake one: neither reaches Q = 4; nobody applies either.
        assert.equal(sums.size, 0)
        assert.equal(unconfirmed, n)
      }
    })
  }

  it('stalling: an ABORT for a later attempt, and frames for rounds 10^6 and 2^53 − 1, move nobody; the round completes', async () => {
    const n = 5
    swarm = await NodeSwarm.create({ members: n, seed: 'stall', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 } })
    const s = swarm
    const { attempt: laterAttempt, X } = laterAggregator(s)
    for (let i = 0; i < n; i++) await s.start(i)
    // X aggregates attempt laterAttempt: an ABORT bound to that session is as valid as it gets.
    const config = s.nodes[s.ids.indexOf(X)]!.sessionConfig(0, laterAttempt, X)
    const abort = encodeMessage({ kind: 'abort', binding: openSession(config).preSessionId, round: 0, reason: 'stop' })
    for (const peer of s.ids) {
      if (peer === X) continue
      s.net.send(X, peer, frame(FrameType.SESSION, 0, laterAttempt, abort))
      s.net.send(X, peer, frame(FrameType.SESSION, 1_000_000, 0, new Uint8Array([1])))
      s.net.send(X, peer, frame(FrameType.SESSION, Number.MAX_SAFE_INTEGER, 0, new Uint8Array([1])))
      s.net.send(X, peer, frame(FrameType.RESULT, Number.MAX_SAFE_INTEGER, 0, new Uint8Array([1, 2, 3])))
    }
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 1) !== undefined), 120_000, 'round 1 everywhere')
    for (let i = 0; i < n; i++) {
      assert.ok(s.roundFile(i, 0)?.sum !== undefined, `member ${i} skipped round 0`)
      assert.equal(s.events(i, 'round-start').filter((e) => (e.fields.round as number) > 1).length, 0, `member ${i} jumped rounds`)
    }
  })

  it('durable promise: a member restarted after sending its masked input never sends another in that round', async () => {
    const n = 5
    swarm = await NodeSwarm.create({ members: n, seed: 'durable', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 } })
    const s = swarm
    const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
    const victim = (s.ids.indexOf(A) + 1) % n
    const masked = new Map<string, number>()
    let restarted = false
    s.net.tap = (from, _to, data) => {
      const f = Frame.decode(data)
      if (f.round !== 0n) return data
      if (from === A && restarted) return undefined // the aggregator goes silent: no result for round 0
      if (f.type === FrameType.SESSION) {
        const m = decodeMessage(f.payload, { maxPeers: n, vectorWords: 4 })
        if (m.ok && m.message.kind === 'masked-input') {
          masked.set(from, (masked.get(from) ?? 0) + 1)
          if (from === s.ids[victim] && !restarted) {
            restarted = true
            s.clock.setTimeout(() => { void s.kill(victim).then(() => s.start(victim)) }, 1)
          }
        }
      }
      return data
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => restarted && s.ids.every((_, i) => s.roundFile(i, 1) !== undefined), 300_000, 'round 1 everywhere')
    assert.deepEqual([...masked.values()].filter((k) => k > 1), [], 'a member sent two masked inputs in round 0')
    // From its directory alone, the restarted member knows its input of round 0 is out: it
    // does not start a new session of round 0 (fresh keys, same input) at all.
    assert.equal(s.events(victim, 'round-start').filter((e) => e.fields.round === 0).length, 1, 'the restarted member began round 0 again')
    assert.ok(s.events(victim, 'round-skipped').some((e) => e.fields.round === 0 && /already went to attempt 0/.test(String(e.fields.reason))))
  })

  it('buffer flood: frames for many later sessions from one member stay bounded (at most 6 per sender and session, 2 attempts ahead)', async () => {
    const n = 5
    swarm = await NodeSwarm.create({ members: n, seed: 'flood', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 } })
    const s = swarm
    const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
    const M = s.ids.find((id) => id !== A)!
    const victim = s.ids.findIndex((id) => id !== A && id !== M)
    for (let i = 0; i < n; i++) await s.start(i)
    const coordinator = s.nodes[victim]!.coordinator
    const payload = new Uint8Array(4096).fill(7)
    for (const round of [0, 1]) {
      for (let a = 0; a < 300; a++) for (let k = 0; k < 20; k++) coordinator.receive(M, frame(FrameType.SESSION, round, a, payload), s.clock.now())
    }
    const { sessions, frames } = coordinator.buffered
    assert.ok(sessions <= 5, `${sessions} buffered sessions`)
    assert.ok(frames <= 5 * 6, `${frames} buffered frames from one member`)
  })

  it('an input equal to an earlier one after quantization is not summed twice (a 1e-9 change does not count)', async () => {
    const n = 5
    const base = (m: number): number[] => [1.25 * (m + 1), -0.5 * (m + 3), 0.125 * m + 3]
    swarm = await NodeSwarm.create({
      members: n, seed: 'qrepeat', dim: 3, rounds: 2, protocol: { maxCorrupt: 0 },
      input: (m, r) => base(m).map((x, j) => (j === 0 ? x + r * 1e-9 : x)) // "the same statistic", recomputed
    })
    const s = swarm
    const A1 = aggregatorFor(s.consortium.hash, 1, 0, s.ids) // round 1's aggregator drops the victim
    const v = (s.ids.indexOf(A1) + 1) % n
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      return f.round === 1n && from === s.ids[v] && to === A1 ? undefined : data
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 1) !== undefined), 200_000, 'round 1 everywhere')
    assert.ok(s.ids.every((_, i) => s.events(i, 'input-unchanged').length === 1), 'every member sat round 1 out')
    assert.equal(s.roundFile(0, 1)!.sum, undefined, 'no second sum over the same inputs')
  })
})
