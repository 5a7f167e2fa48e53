/**
 * The aggregator's view never contains an unmasked individual input. The test plays the most
 * informed aggregator possible: it keeps every byte it received, rebuilds every secret the
 * revealed shares allow (b_u of survivors, s_v^SK of peers that dropped after sharing) and
 * strips every mask it can from each individual y_u. The same stripping applied to Σ y_u must
 * give the exact sum (so the attack code is right); applied to one y_u it must give noise,
 * because the pairwise masks between survivors never come off.
 */
import assert from 'node:assert/strict'
import { addMasks, seededRandom, shamirCombine } from '../../src/crypto/index.ts'
import type { MaskTerm, Share } from '../../src/crypto/index.ts'
import { decodeMessage, encodeInput, openSession, pairSign } from '../../src/protocol/index.ts'
import type { Message, RoundResult } from '../../src/protocol/index.ts'
import { pairwiseMaskSeed, selfMaskSeed } from '../../src/protocol/transcript.ts'
import { drainEvents, drainOutbound, makeSession } from '../helpers/session.ts'

const DIM = 256

describe('protocol: the aggregator never sees an individual input', () => {
  it('neither in the bytes it receives nor after stripping every mask it can rebuild', () => {
    const n = 7
    const h = makeSession(n, { vectorLength: DIM }, 'view')
    const session = openSession(h.config)
    const rng = seededRandom('view/inputs')
    const inputs = h.ids.map(() => Array.from(rng(DIM), (b) => b / 128 - 1))
    const dropped = h.ids[6]! // shares its keys, then never sends a masked input
    const received: Array<{ from: string, data: Uint8Array }> = []

    h.aggregator.start(0)
    h.participants.forEach((p, i) => { if (h.ids[i] !== dropped) p.setInput(inputs[i]!, 1 + i, 0); p.start(0) })
    let now = 0
    for (let step = 0; step < 50 && h.aggregator.stage !== 'done'; step++) {
      let moved = 0
      h.participants.forEach((p, i) => {
        for (const o of drainOutbound(p)) { moved++; received.push({ from: h.ids[i]!, data: o.data }); h.aggregator.receive(h.ids[i]!, o.data, now) }
      })
      for (const o of drainOutbound(h.aggregator)) { moved++; h.participants[h.ids.indexOf(o.to)]!.receive(h.ids[0]!, o.data, now) }
      if (moved === 0) { now = h.aggregator.pollTimeout()!; h.aggregator.handleTimeout(now) }
    }
    const result = drainEvents(h.aggregator).find((e) => e.type === 'result') as { result: RoundResult } | undefined
    assert.ok(result !== undefined, 'the round must complete')
    const { sessionId, included } = result.result
    assert.deepEqual(included, h.ids.filter((id) => id !== dropped))

    // 1. No received message carries any member's encoded input (its first 8 words) verbatim.
    const encoded = inputs.map((x, i) => encodeInput(h.config.quantization, x, 1 + i).words)
    for (const words of encoded) {
      const needle = Buffer.from(words.buffer, 0, 32)
      for (const { data } of received) assert.equal(Buffer.from(data).indexOf(needle), -1)
    }

    // 2. The informed aggregator: decode everything, rebuild what the shares allow.
    const messages = received.map(({ from, data }) => {
      const d = decodeMessage(data, { maxPeers: n, vectorWords: DIM + 1 })
      assert.ok(d.ok)
      return { from, message: d.message }
    })
    const of = <K extends Message['kind']>(kind: K) => messages.filter((m) => m.message.kind === kind) as Array<{ from: string, message: Extract<Message, { kind: K }> }>
    const maskingKeys = new Map(of('advertise-keys').map(({ from, message }) => [from, message.keys.maskingKey]))
    const shares = new Map<string, Share[]>()
    for (const { from, message } of of('unmask-shares')) {
      for (const s of message.shares) {
        const key = `${s.owner}/${s.selfMask ? 'b' : 's'}`
        shares.set(key, [...(shares.get(key) ?? []), { index: session.memberIndex.get(from)!, value: s.value }])
      }
    }
    assert.equal(shares.has(`${dropped}/b`), false, 'the dropped peer\'s self-mask seed is never revealed')
    for (const u of included) assert.equal(shares.has(`${u}/s`), false, `the masking key of survivor ${u} is never revealed`)
    const t = h.config.threshold
    const b = new Map(included.map((u) => [u, shamirCombine(shares.get(`${u}/b`)!, t)]))
    const sDropped = shamirCombine(shares.get(`${dropped}/s`)!, t)

    // Every mask the aggregator can compute for survivor u: its self mask and its pairwise mask with the dropped peer.
    const strippable = (u: string): MaskTerm[] => [
      { seed: selfMaskSeed(sessionId, b.get(u)!, u), sign: -1 },
      { seed: pairwiseMaskSeed(sessionId, sDropped, maskingKeys.get(u)!, dropped, u), sign: pairSign(u, dropped) === 1 ? -1 : 1 }
    ]
    const maskedInputs = new Map(of('masked-input').map(({ from, message }) => [from, message.vector]))

    // Sanity: on the sum, stripping those masks gives exactly Σ encoded inputs (the attack code is right).
    const sum = new Uint32Array(DIM + 1)
    const plain = new Uint32Array(DIM + 1)
    for (const u of included) {
      for (let j = 0; j <= DIM; j++) { sum[j] = (sum[j]! + maskedInputs.get(u)![j]!) >>> 0; plain[j] = (plain[j]! + encoded[h.ids.indexOf(u)]![j]!) >>> 0 }
    }
    addMasks(sum, included.flatMap(strippable))
    assert.deepEqual(sum, plain)

    // On each individual y_u, the survivors' pairwise masks remain: nothing matches x_u.
    for (const u of included) {
      const y = maskedInputs.get(u)!.slice()
      addMasks(y, strippable(u))
      const x = encoded[h.ids.indexOf(u)]!
      let equal = 0
      for (let j = 0; j <= DIM; j++) if (y[j] === x[j]) equal++
      assert.ok(equal <= 2, `${equal} of ${DIM + 1} coordinates of ${u}'s input visible to the aggregator`)
    }
  })
})
