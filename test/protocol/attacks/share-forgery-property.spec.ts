/**
 * Property: with an honest aggregator, up to c corrupt members that forge, move, duplicate or
 * blow up the shares they reveal (and random members going silent at random steps) can make
 * a round abort with a typed reason, but never make it announce a wrong sum.
 */
import assert from 'node:assert/strict'
import { randomInt, seededRandom } from '../../../src/crypto/index.ts'
import type { RandomSource } from '../../../src/crypto/index.ts'
import { decodeMessage, encodeMessage } from '../../../src/protocol/index.ts'
import type { Message, RevealedShare } from '../../../src/protocol/index.ts'
import { drainEvents, drive, makeSession } from '../../helpers/session.ts'

const REASONS = new Set(['not-enough-peers', 'not-enough-signatures', 'not-enough-shares', 'invalid-signature', 'inconsistent-survivor-list',
  'both-shares-requested', 'invalid-key-list', 'decryption-failed', 'not-included', 'reconstruction-mismatch', 'too-few-survivors',
  'invalid-share', 'result-out-of-bounds', 'aggregator-aborted', 'timeout'])

const inputOf = (i: number): number[] => [0.1 * (i + 1), -0.03 * i, (i % 4) / 8, 0.5 - 0.07 * i]
const weightOf = (i: number): number => 1 + (i % 3)

type Forgery = (shares: readonly RevealedShare[], rng: RandomSource, others: readonly string[]) => RevealedShare[]

const FORGERIES: Array<[string, Forgery]> = [
  ['flipped byte', (s, rng) => s.map((x) => ({ ...x, value: x.value.map((b, i) => (i === randomInt(rng, 33) ? b ^ (1 + randomInt(rng, 255)) : b)) }))],
  ['out-of-range value', (s) => s.map((x) => ({ ...x, value: new Uint8Array(33).fill(0xff) }))],
  ['signatures rotated', (s) => s.map((x, i) => ({ ...x, signature: s[(i + 1) % s.length]!.signature }))],
  ['values rotated', (s) => s.map((x, i) => ({ ...x, value: s[(i + 1) % s.length]!.value, signature: s[(i + 1) % s.length]!.signature }))],
  ['wrong kind', (s) => s.map((x) => ({ ...x, selfMask: !x.selfMask }))],
  ['share of itself added', (s, _rng, others) => [...s, { ...s[0]!, owner: others[0]! }]],
  ['nothing revealed', () => []],
  ['zero signature', (s) => s.map((x) => ({ ...x, signature: new Uint8Array(64) }))]
]

describe('property: forged shares never change the announced sum', function () {
  this.timeout(300_000)

  it('500 seeded schedules: the exact sum over `included`, or a typed abort', () => {
    const rng = seededRandom('share-forgery-property')
    let completed = 0
    let aborted = 0
    let forgedDropped = 0
    for (let run = 0; run < 500; run++) {
      const n = 5 + randomInt(rng, 4) // 5..8
      const h = makeSession(n, {}, `forgery-${run}`)
      const c = h.config.maxCorrupt
      const corrupt = new Set<string>()
      const wanted = randomInt(rng, c + 1)
      while (corrupt.size < wanted) corrupt.add(h.ids[1 + randomInt(rng, n - 1)]!)
      const forgery = new Map([...corrupt].map((id) => [id, FORGERIES[randomInt(rng, FORGERIES.length)]!]))
      // Random silence: a member stops sending at a random message kind.
      const silentAt = new Map<string, string>()
      if (randomInt(rng, 3) === 0) {
        const kinds = ['share-keys', 'masked-input', 'consistency-signature', 'unmask-shares']
        silentAt.set(h.ids[1 + randomInt(rng, n - 1)]!, kinds[randomInt(rng, kinds.length)]!)
      }
      const order = ['advertise-keys', 'share-keys', 'masked-input', 'consistency-signature', 'unmask-shares']
      const decode = (data: Uint8Array): Message => {
        const r = decodeMessage(data, { maxPeers: n, vectorWords: 5 })
        if (!r.ok) throw new Error(r.detail)
        return r.message
      }
      drive(h, {
        input: (i) => ({ x: inputOf(i), w: weightOf(i) }),
        up: (from, data) => {
          const m = decode(data)
          const stop = silentAt.get(from)
          if (stop !== undefined && order.indexOf(m.kind) >= order.indexOf(stop)) return undefined
          if (m.kind !== 'unmask-shares' || !forgery.has(from) || m.shares.length === 0) return data
          const others = h.ids.filter((v) => v !== from && !m.shares.some((s) => s.owner === v))
          const [, forge] = forgery.get(from)!
          // Re-encoded as the aggregator would decode it; a duplicate owner is refused whole.
          return encodeMessage({ ...m, shares: forge(m.shares, rng, others.length > 0 ? others : [from]) })
        }
      })
      const events = drainEvents(h.aggregator)
      forgedDropped += events.filter((e) => e.type === 'rejected' && e.reason === 'invalid-share').length
      for (const p of h.participants) {
        for (const e of drainEvents(p)) if (e.type === 'aborted') assert.ok(REASONS.has(e.reason), `run ${run}: participant abort ${e.reason}: ${e.detail}`)
      }
      const result = events.find((e) => e.type === 'result')
      const abort = events.find((e) => e.type === 'aborted')
      if (result?.type === 'result') {
        completed++
        const included = result.result.included.map((id) => h.ids.indexOf(id))
        const expected = [0, 1, 2, 3].map((j) => included.reduce((s, i) => s + weightOf(i) * inputOf(i)[j]!, 0))
        assert.equal(result.result.weightSum, included.reduce((s, i) => s + weightOf(i), 0), `run ${run}`)
        result.result.sum.forEach((x, j) => assert.ok(Math.abs(x - expected[j]!) < 1e-4, `run ${run}: sum[${j}] = ${x}, expected ${expected[j]} (${[...forgery.values()].map((f) => f[0]).join(', ')})`))
      } else {
        aborted++
        assert.ok(abort?.type === 'aborted' && REASONS.has(abort.reason), `run ${run}: no result and no typed abort (${abort?.type === 'aborted' ? abort.reason : 'none'})`)
      }
    }
    assert.ok(completed > 200 && aborted > 50 && forgedDropped > 500, `completed ${completed}, aborted ${aborted}, forged shares dropped ${forgedDropped}`)
  })
})
