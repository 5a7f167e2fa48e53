/**
 * Masks computed before the input exists: a participant whose shares arrive while its member
 * still trains computes its mask sum then, and setInput adds the encoded input onto it. The
 * masked input must be bit for bit what masking after encoding gives, the sum must be exact,
 * and the mask sum — as secret as the seeds — must never outlive the session or a failed input.
 */
import assert from 'node:assert/strict'
import { planQuantization, addEncodedInput, encodeInput } from '../../src/protocol/quantize.ts'
import type { Participant } from '../../src/protocol/index.ts'
import { drainEvents, drainOutbound, makeSession } from '../helpers/session.ts'
import type { Harness } from '../helpers/session.ts'

const X = [[0.5, -0.25, 1, 0], [-1, 0.75, 0.125, 0.5], [0.3, 0.3, -0.3, 0.9], [0, 0, 0, -1], [0.25, 0.5, 0.75, 1]]

/** Moves messages until nothing moves; `late` gets its input only once it holds its shares. */
function pump (h: Harness, late?: { index: number, input: () => void }): Map<string, Uint8Array> {
  const { aggregator, participants, ids } = h
  const masked = new Map<string, Uint8Array>()
  let given = false
  for (let step = 0; step < 50; step++) {
    let moved = 0
    participants.forEach((p, i) => {
      for (const o of drainOutbound(p)) {
        moved++
        if (p.stage === 'masked' && !masked.has(ids[i]!)) masked.set(ids[i]!, o.data.slice())
        aggregator.receive(ids[i]!, o.data, 1)
      }
    })
    for (const o of drainOutbound(aggregator)) { moved++; participants[ids.indexOf(o.to)]!.receive(ids[0]!, o.data, 1) }
    if (late !== undefined && !given && participants[late.index]!.waitingForInput) { given = true; late.input(); moved++ }
    if (moved === 0) break
  }
  return masked
}

function resultOf (h: Harness): number[] {
  const result = drainEvents(h.aggregator).find((e) => e.type === 'result')
  assert.ok(result?.type === 'result', 'the round has a result')
  return Array.from(result.result.sum)
}

const premaskOf = (p: Participant): { vector: Uint32Array } | undefined => (p as unknown as { premasked?: { vector: Uint32Array } }).premasked

describe('protocol: masks computed while the member trains', () => {
  it('the masked input is bit for bit the one masking after encoding gives, and the sum is exact', () => {
    const before = makeSession(5, {}, 'premask')
    before.aggregator.start(0)
    before.participants.forEach((p, i) => { p.setInput(X[i]!, i + 1, 0); p.start(0) })
    const expected = pump(before)
    const sum = resultOf(before)

    const after = makeSession(5, {}, 'premask') // the same seeds: the same keys, shares and masks
    after.aggregator.start(0)
    after.participants.forEach((p, i) => { if (i !== 2) p.setInput(X[i]!, i + 1, 0); p.start(0) })
    let premask: Uint32Array | undefined
    const got = pump(after, {
      index: 2,
      input: () => {
        premask = premaskOf(after.participants[2]!)?.vector
        assert.ok(premask !== undefined && premask.some((w) => w !== 0), 'the mask sum was computed before the input')
        after.participants[2]!.setInput(X[2]!, 3, 1)
      }
    })
    assert.deepEqual(got.get('p02'), expected.get('p02'))
    assert.deepEqual(resultOf(after), sum)
    const weighted = [0, 1, 2, 3].map((j) => X.reduce((s, x, i) => s + (i + 1) * x[j]!, 0))
    sum.forEach((v, j) => assert.ok(Math.abs(v - weighted[j]!) < 1e-6, `coordinate ${j}`))
  })

  it('a session that ends before the input comes wipes the mask sum', () => {
    const h = makeSession(4, {}, 'premask-close')
    h.aggregator.start(0)
    h.participants.forEach((p, i) => { if (i !== 1) p.setInput(X[i]!, 1, 0); p.start(0) })
    let held: Uint32Array | undefined
    pump(h, { index: 1, input: () => { held = premaskOf(h.participants[1]!)!.vector.slice(0) } })
    const live = premaskOf(h.participants[1]!)!.vector
    assert.ok(held!.some((w) => w !== 0))
    h.participants[1]!.close(2)
    assert.ok(live.every((w) => w === 0), 'wiped in place')
    assert.equal(premaskOf(h.participants[1]!), undefined)
  })

  it('an input that fails to encode wipes the mask sum; a good input then is masked afresh and the sum is exact', () => {
    const h = makeSession(4, {}, 'premask-nan')
    h.aggregator.start(0)
    h.participants.forEach((p, i) => { if (i !== 3) p.setInput(X[i]!, 1, 0); p.start(0) })
    const late = h.participants[3]!
    pump(h, {
      index: 3,
      input: () => {
        const live = premaskOf(late)!.vector
        assert.throws(() => late.setInput([0.1, Number.NaN, 0, 0], 1, 1), { name: 'InvalidInputError' })
        assert.ok(live.every((w) => w === 0), 'the mask sum with half an input in it is wiped')
        assert.equal(premaskOf(late), undefined)
        late.setInput(X[3]!, 1, 1)
      }
    })
    const sum = resultOf(h)
    const expected = [0, 1, 2, 3].map((j) => X.slice(0, 4).reduce((s, x) => s + x[j]!, 0))
    sum.forEach((v, j) => assert.ok(Math.abs(v - expected[j]!) < 1e-6, `coordinate ${j}: ${v} vs ${expected[j]}`))
  })

  it('addEncodedInput is encodeInput added in Z_2^32, weight word and DP noise included', () => {
    const plan = planQuantization({ clip: 1, maxWeight: 10, members: 5 })
    const x = [0.5, -1, 0.999, -0.25]
    const mask = Uint32Array.of(0xffffffff, 7, 0x80000000, 123456789, 0xfffffff0)
    const into = mask.slice()
    addEncodedInput(plan, x, 7, into)
    const plain = encodeInput(plan, x, 7).words
    assert.deepEqual(into, plain.map((w, i) => (w + mask[i]!) >>> 0))
    const noisy = planQuantization({ clip: 1, maxWeight: 10, members: 5, noise: { stddev: 0.1, survivors: 3, coordinates: 4 } })
    const noise = Int32Array.of(-5, 2 ** 30, -(2 ** 31), 9)
    const into2 = mask.slice()
    addEncodedInput(noisy, x, 2, into2, noise)
    assert.deepEqual(into2, encodeInput(noisy, x, 2, undefined, noise).words.map((w, i) => (w + mask[i]!) >>> 0))
  })
})
