/**
 * DP noise in the quantized ring (docs/PRIVACY.md, "Overflow"): the plan widens the range for
 * the noise tail instead of clipping it, refuses a configuration the noise cannot fit, the
 * noise is added after rounding mod 2^32, and the result bounds every member checks allow an
 * honest noisy sum. The no-noise plan is the old one, bit for bit.
 */
import assert from 'node:assert/strict'
import { decodeSum, encodeInput, noiseBound, planQuantization, resultBoundsViolation } from '../../src/protocol/index.ts'
import { noiseOptions } from '../../src/privacy/index.ts'

describe('privacy: noise and quantization', () => {
  it('without noise the plan is exactly the old formula', () => {
    for (const [clip, maxWeight, members] of [[1, 1, 3], [0.5, 100_000, 4], [3, 7, 50]] as const) {
      const plan = planQuantization({ clip, maxWeight, members })
      assert.equal(plan.scale, ((2 ** 31 - 1) / members - 0.5) / (maxWeight * clip))
      assert.equal(plan.noise, undefined)
    }
  })

  it('with noise, clip range and noise tail of all n members fit below 2^31', () => {
    const members = 4
    const plan = planQuantization({ clip: 1, maxWeight: 1, members, noise: noiseOptions(1, 1.1, 3, 40_000) })
    const noise = plan.noise!
    assert.ok(Number.isInteger(noise.shareStddev) && noise.shareStddev >= 1.1 * plan.scale / Math.sqrt(3))
    assert.ok(noise.tailFactor > 8 && noise.tailFactor < 9, `k = ${noise.tailFactor}`) // √(2 ln(2^41 · 40,000))
    const worst = members * (plan.maxWeight * plan.clip * plan.scale + 0.5) + noise.tailFactor * Math.sqrt(members) * noise.shareStddev
    assert.ok(worst < 2 ** 31, `worst case ${worst}`)
    assert.ok(plan.scale < planQuantization({ clip: 1, maxWeight: 1, members }).scale, 'the noise costs range')
  })

  it('refuses a configuration whose noise tail could wrap, naming the numbers to change', () => {
    // Fits without noise (½/S ≈ 9.3e-5 < 1e-4), not with σ·C = 20,000 on top.
    const options = { clip: 1, maxWeight: 100_000, members: 4 }
    assert.doesNotThrow(() => planQuantization(options))
    assert.throws(() => planQuantization({ ...options, noise: noiseOptions(1, 20_000, 3, 1000) }),
      { name: 'OverflowRiskError', message: /n = 4 members, maxWeight = 100000, clip = 1 and DP noise σ·C = 20000 carried by t = 3.*lower the noise multiplier, the clip or maxWeight/ })
    assert.throws(() => planQuantization({ clip: 1e6, maxWeight: 1, members: 1000, noise: noiseOptions(1e6, 1e3, 10, 10) }),
      { name: 'OverflowRiskError', message: /S = .* < 1 .*k·√n·σ_share must stay below 2\^31.*noise multiplier/ })
  })

  it('adds the noise share in the ring after rounding, and insists on it when the plan has noise', () => {
    const plain = planQuantization({ clip: 1, maxWeight: 1, members: 3 })
    const noisy = planQuantization({ clip: 1, maxWeight: 1, members: 3, noise: noiseOptions(1, 1, 2, 3) })
    const x = [0.25, -0.5, 1]
    const share = Int32Array.from([5, -7, 2 ** 31 - 1])
    const withNoise = encodeInput(noisy, x, 1, undefined, share).words
    const without = x.map((v) => Math.floor(v * noisy.scale + 0.5))
    x.forEach((_, i) => assert.equal(withNoise[i], ((without[i]! + share[i]!) % 2 ** 32 + 2 ** 32) % 2 ** 32, `coordinate ${i}`))
    assert.equal(withNoise[3], 1)
    assert.throws(() => encodeInput(noisy, x, 1), { name: 'InvalidInputError', message: /needs its noise share/ })
    assert.throws(() => encodeInput(plain, x, 1, undefined, share), { name: 'InvalidInputError', message: /no DP noise/ })
    assert.throws(() => encodeInput(noisy, x, 1, undefined, Int32Array.from([1])), { name: 'InvalidInputError', message: /noise share has 1/ })
  })

  it('the result bounds accept an honest noisy sum and still refuse one beyond clip + noise tail', () => {
    const plan = planQuantization({ clip: 1, maxWeight: 1, members: 4, noise: noiseOptions(1, 1, 3, 2) })
    const big = Math.round(3 * plan.noise!.shareStddev * 2) // a 3σ excursion of the summed noise of 4 members
    const total = new Uint32Array(3)
    for (let m = 0; m < 4; m++) {
      const w = encodeInput(plan, [1, -1], 1, undefined, Int32Array.from(m === 0 ? [big, -big] : [0, 0])).words
      for (let i = 0; i < 3; i++) total[i] = (total[i]! + w[i]!) >>> 0
    }
    const { sum, weightSum } = decodeSum(plan, total)
    assert.ok(sum[0]! > 4, 'the noise pushed the sum past clip·Σw')
    assert.equal(resultBoundsViolation(plan, 4, sum, weightSum), undefined)
    assert.match(resultBoundsViolation(plan, 4, [4 + noiseBound(plan, 4) + 0.01, 0], 4)!, /beyond/)
  })
})
