import assert from 'node:assert/strict'
import fc from 'fast-check'
import { decodeSum, encodeInput, planQuantization } from '../../src/protocol/index.ts'

describe('protocol/quantize', () => {
  it('round-trips weighted sums within the documented error', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1000 }), fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 20 }), (n, maxWeight, x) => {
      const plan = planQuantization({ clip: 1, maxWeight, members: n })
      const total = new Uint32Array(x.length + 1)
      for (let p = 0; p < n; p++) {
        const { words } = encodeInput(plan, x, maxWeight)
        for (let i = 0; i < words.length; i++) total[i] = (total[i]! + words[i]!) >>> 0
      }
      const { sum, weightSum } = decodeSum(plan, total)
      assert.equal(weightSum, n * maxWeight)
      x.forEach((v, i) => assert.ok(Math.abs(sum[i]! - n * maxWeight * Math.max(-1, Math.min(1, v))) <= plan.sumError + 1e-9))
    }), { numRuns: 200 })
  })

  it('counts clipped coordinates locally', () => {
    const plan = planQuantization({ clip: 1, maxWeight: 1, members: 3 })
    assert.equal(encodeInput(plan, [2, -3, 0.5, 1], 1).clipped, 2)
  })

  it('refuses configurations that could overflow, naming the bound', () => {
    assert.throws(() => planQuantization({ clip: 1e6, maxWeight: 10_000, members: 1000 }), { name: 'OverflowRiskError', message: /S = .* < 1 .*2\^31.*lower the clip range or maxWeight/ })
    assert.throws(() => planQuantization({ clip: 10, maxWeight: 1000, members: 100, tolerance: 1e-6 }), { name: 'OverflowRiskError', message: /tolerance/ })
    assert.throws(() => planQuantization({ clip: 1, maxWeight: 2 ** 30, members: 4 }), { name: 'OverflowRiskError', message: /members × maxWeight/ })
  })

  it('refuses NaN inputs and out-of-range weights', () => {
    const plan = planQuantization({ clip: 1, maxWeight: 5, members: 3 })
    assert.throws(() => encodeInput(plan, [0, Number.NaN], 1), { name: 'InvalidInputError', message: /coordinate 1 is NaN/ })
    assert.throws(() => encodeInput(plan, [0], 6), { name: 'InvalidInputError', message: /\[1, 5\]/ })
  })
})
