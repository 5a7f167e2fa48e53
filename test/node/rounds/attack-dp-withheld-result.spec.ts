/**
 * Attacker review of the DP ledger on real SwarmNodes (virtual clock): a round whose masked
 * inputs went out and whose sum the aggregator unmasked, but whose result it then withholds,
 * is a release of every included member's noisy update — and is charged to nobody's ε.
 *
 * The swarm runs the vector-sum task with the consortium's `privacy` section set, and each
 * member's task wrapped to do exactly what the train task does under DP (member-privacy.ts):
 * `privatize` (L2 clip, weight 1, a fresh noise share) for the input, `spend(round, |U3|)` in
 * `apply` when the member was included. Only the training itself is left out.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { consortiumQuantization } from '../../../src/node/config/consortium-quantization.ts'
import { NodeSwarm } from '../../../src/node/sim/node-swarm.ts'
import { MemberPrivacy } from '../../../src/node/task/member-privacy.ts'
import { VectorSumTask } from '../../../src/node/task/vector-sum-task.ts'
import type { RoundTask } from '../../../src/node/task/round-task.ts'
import type { RoundOutcome } from '../../../src/round/signed-result.ts'
import { createEd25519Signer, seededRandom } from '../../../src/crypto/index.ts'
import { decodeMessage, noiseBound, planQuantization, resultBoundsViolation } from '../../../src/protocol/index.ts'
import { encodeSignedResult } from '../../../src/round/signed-result.ts'
import { aggregatorFor } from '../../../src/protocol/ranking.ts'
import { Frame, FrameType, SignedResult } from '../../../src/round/wire/round.generated.ts'

const PRIVACY = { clip: 1, noiseMultiplier: 1.1, delta: 1e-5, epsilonBudget: 8 }


const dim = 4
/** A swarm whose members privatize their input and spend ε exactly as the train task does under DP. */
async function privateSwarm (seed: string, rounds: number, noiseArrays: Int32Array[] = [], repeat = -1): Promise<{ s: NodeSwarm, ledgers: Map<string, MemberPrivacy> }> {
  const n = 7
  const s = await NodeSwarm.create({
    members: n, seed, dim, rounds, protocol: { clip: 1, maxWeight: 1, maxCorrupt: 0 }, stageMs: 1000,
    input: (m, r) => Array.from({ length: dim }, (_, j) => ((m + 1) * (j % 2 === 0 ? 1 : -1)) / 20 + (m === repeat ? 0 : r / 100))
  })
  ;(s.consortium.file as { privacy?: unknown }).privacy = PRIVACY // the consortium file's privacy section
  const plan = consortiumQuantization(s.consortium.file, dim)
  assert.ok(plan.noise !== undefined)
  const ledgers = new Map<string, MemberPrivacy>()
  s.dirs.forEach((dir, i) => ledgers.set(dir, new MemberPrivacy(dir, PRIVACY, plan, dim, seededRandom(`${seed}/noise/${i}`))))
  // What TrainTask does under DP, on top of the vector-sum input (member-privacy.ts).
  VectorSumTask.prototype.input = function (this: VectorSumTask, round: number) {
    const member = ledgers.get((this as unknown as { dir: string }).dir)!
    member.assertRoundFits()
    const { vector, weight, noise } = member.privatize(round, original.input.call(this, round).vector)
    const input = { vector, weight, noise }
    noiseArrays.push(input.noise!)
    return input
  }
  ;(VectorSumTask.prototype as unknown as RoundTask).apply = async function (this: VectorSumTask, outcome: RoundOutcome, includedSelf: boolean) {
    if (includedSelf) ledgers.get((this as unknown as { dir: string }).dir)!.spend(outcome.round, outcome.included.length)
    return await original.apply.call(this, outcome)
  }
  return { s, ledgers }
}
const original = { input: VectorSumTask.prototype.input, apply: VectorSumTask.prototype.apply }

describe('attack: DP accounting on real nodes', function () {
  this.timeout(120_000)
  let swarm: NodeSwarm | undefined
  afterEach(async () => {
    VectorSumTask.prototype.input = original.input
    VectorSumTask.prototype.apply = original.apply
    await swarm?.teardown(); swarm = undefined
  })

  it('attack (review): an aggregator that unmasks the sum and withholds the result: every member whose noisy update went out is charged ε all the same', async () => {
    const n = 7
    const made = await privateSwarm('dp-withheld', 1)
    swarm = made.s
    const { s, ledgers } = made
    const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
    const maskedFrom = new Set<string>()
    let learned: { included: string[], sum: Float64Array } | undefined
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      if (f.type === FrameType.SESSION && to === A && f.round === 0n) {
        const m = decodeMessage(f.payload, { maxPeers: n, vectorWords: dim + 1 })
        if (m.ok && m.message.kind === 'masked-input') maskedFrom.add(from)
      }
      if (from === A && f.type === FrameType.RESULT && f.round === 0n) {
        const r = SignedResult.decode(f.payload)
        learned ??= { included: r.included, sum: new Float64Array(r.sum.slice().buffer) }
        return undefined // withheld: the aggregator keeps the unmasked sum to itself
      }
      return data
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 0) !== undefined), 100_000, 'round 0 to end everywhere')

    assert.ok(learned !== undefined, 'the aggregator unmasked the sum')
    const honest = learned.included.filter((id) => id !== A)
    const plain = Array.from({ length: dim }, (_, j) => learned!.included.reduce((acc, id) => acc + s.inputOf(s.ids.indexOf(id), 0)[j]!, 0))
    console.log(`      aggregator learned Σ over ${learned.included.length} members: [${Array.from(learned.sum, (x) => x.toFixed(3)).join(', ')}] (plain sum [${plain.map((x) => x.toFixed(3)).join(', ')}]: the noisy release)`)
    const charged = honest.map((id) => ({ id: id.slice(-6), masked: maskedFrom.has(id), applied: s.roundFile(s.ids.indexOf(id), 0)?.sum !== undefined, epsilon: ledgers.get(s.dirs[s.ids.indexOf(id)]!)!.epsilon }))
    console.log(`      honest members in that sum (masked input sent, round 0 applied, ε charged): ${charged.map((c) => `${c.id} ${c.masked} ${c.applied} ${c.epsilon.toFixed(3)}`).join('; ')}`)
    for (const c of charged) assert.ok(c.masked)
    const uncharged = charged.filter((c) => c.epsilon === 0)
    assert.deepEqual(uncharged.map((c) => c.id), [], 'members whose noisy update the aggregator unmasked were charged no ε')
  })

  it('attack (review): a member whose round-0 result and echoes are slow to reach it is still charged round 0 (charged when its input was made)', async () => {
    const made = await privateSwarm('dp-late', 3)
    swarm = made.s
    const { s, ledgers } = made
    const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
    const V = s.ids.find((id) => id !== A)!
    const v = s.ids.indexOf(V)
    const DELAY = 20_000
    // The network to V is slow for round 0's result and echoes (a congested link; or the aggregator delaying on purpose).
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      if (to === V && f.round === 0n && (f.type === FrameType.RESULT || f.type === FrameType.ECHO)) {
        s.clock.setTimeout(() => { const saved = s.net.tap; s.net.tap = undefined; s.net.send(from, to, data); s.net.tap = saved }, DELAY)
        return undefined
      }
      return data
    }
    for (let i = 0; i < s.ids.length; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 2) !== undefined), 200_000, 'round 2 everywhere')
    const file = (s.roundFile(v, 0) ?? {}) as Record<string, unknown>
    const others = s.ids.filter((id) => id !== V).map((id) => s.roundFile(s.ids.indexOf(id), 0) as Record<string, unknown>)
    const appliedByOthers = others.filter((f) => f.sum !== undefined && (f.included as string[] | undefined)?.includes(V))
    const epsV = ledgers.get(s.dirs[v]!)!
    const spentRounds = JSON.parse(readFileSync(join(s.dirs[v]!, 'privacy.json'), 'utf8')).rounds.map((r: { round: number }) => r.round)
    console.log(`      V's round 0 record: ${JSON.stringify(file)}; V's round-result events: ${s.events(v, 'round-result').map((e) => `round ${String(e.fields.round)}`).join(', ')}`)
    console.log(`      ${appliedByOthers.length} other members applied round 0's sum with V included; V's ledger rounds: [${spentRounds.join(', ')}], ε = ${epsV.epsilon.toFixed(3)}`)
    assert.ok(appliedByOthers.length > 0, 'round 0 was applied by the others with V included')
    assert.ok(spentRounds.includes(0), 'V\'s update was in round 0\'s published sum, but V never charged round 0')
  })

  it('no noise share reaches the logs (shares are not yet wiped from memory after their round: docs/PRIVACY.md)', async () => {
    const noise: Int32Array[] = []
    const made = await privateSwarm('dp-wipe', 1, noise)
    swarm = made.s
    const { s } = made
    for (let i = 0; i < s.ids.length; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 0) !== undefined), 100_000, 'round 0 everywhere')
    const logText = s.logs.flat().map((x) => JSON.stringify(x)).join('\n')
    const inLogs = noise.filter((a) => logText.includes(Array.from(a.subarray(0, 3)).join(','))).length
    const unwiped = noise.filter((a) => a.some((x) => x !== 0)).length
    console.log(`      ${noise.length} noise shares handed out; ${unwiped} still non-zero after the round; ${inLogs} found in the logs`)
    assert.equal(inLogs, 0)
  })

  it('attack (review): a forged sum with every coordinate pushed past ±clip·Σw into the noise tail in one direction is refused by every honest member', async () => {
    const made = await privateSwarm('dp-forge', 1)
    swarm = made.s
    const { s } = made
    const n = s.ids.length
    const plan = consortiumQuantization(s.consortium.file, dim)
    const A = aggregatorFor(s.consortium.hash, 0, 0, s.ids)
    const signer = createEd25519Signer(s.identity(s.ids.indexOf(A)).privateKey.raw)
    let forgedSum: number[] | undefined
    s.net.tap = (from, to, data) => {
      const f = Frame.decode(data)
      if (from !== A || f.type !== FrameType.RESULT || f.round !== 0n) return data
      const r = SignedResult.decode(f.payload)
      const m = r.included.length
      const oldLimit = 1 * m + (m * 0.5) / plan.scale
      // +(old limit + 95% of the noise tail) on even coordinates, −(…) on odd ones: a chosen direction.
      forgedSum ??= Array.from({ length: dim }, (_, j) => (j % 2 === 0 ? 1 : -1) * (oldLimit + 0.95 * noiseBound(plan, m)))
      const forged = encodeSignedResult({
        round: Number(r.round), attempt: r.attempt, aggregator: r.aggregator, sessionId: r.sessionId, keysRoot: r.keysRoot,
        included: r.included, sum: Float64Array.from(forgedSum), weightSum: Number(r.weightSum), signatures: r.signatures
      }, signer)
      return Frame.encode({ version: 2, type: FrameType.RESULT, round: r.round, attempt: r.attempt, payload: forged as Uint8Array<ArrayBuffer> })
    }
    for (let i = 0; i < n; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 0) !== undefined), 100_000, 'round 0 everywhere')
    const applied = s.ids.filter((id, i) => id !== A && JSON.stringify(s.roundFile(i, 0)!.sum) === JSON.stringify(forgedSum))
    const withoutDp = planQuantization({ clip: 1, maxWeight: 1, members: n })
    const noiseStd = PRIVACY.noiseMultiplier * PRIVACY.clip * Math.sqrt(n / plan.noise!.survivors)
    console.log(`      forged sum [${forgedSum!.map((x) => x.toFixed(2)).join(', ')}] (honest |Σ| ≤ ${n} per coordinate, noise std ${noiseStd.toFixed(2)}): applied by ${applied.length}/${n - 1} honest members; ` +
      `the bounds without DP: ${resultBoundsViolation(withoutDp, n, Float64Array.from(forgedSum!), n)?.slice(0, 60) ?? 'accepted'}`)
    assert.equal(applied.length, 0, 'honest members applied a sum that no honest run (up to the 2^-40 tail) could produce, and that the bounds refused before DP')
  })

  it('held: under DP (fresh noise every round) an unchanged input is still sat out, not summed a second time', async () => {
    const noise: Int32Array[] = []
    const made = await privateSwarm('dp-repeat', 2, noise, 3)
    swarm = made.s
    const { s } = made
    for (let i = 0; i < s.ids.length; i++) await s.start(i)
    await s.runUntil(() => s.ids.every((_, i) => s.roundFile(i, 1) !== undefined), 100_000, 'round 1 everywhere')
    const r1 = s.roundFile(0, 1) as { included?: string[] }
    console.log(`      member 3: input-unchanged events ${s.events(3, 'input-unchanged').length}; round 1 included member 3: ${String(r1.included?.includes(s.ids[3]!))}`)
    assert.equal(s.events(3, 'input-unchanged').length, 1)
    assert.ok(!(r1.included ?? []).includes(s.ids[3]!))
  })
})
