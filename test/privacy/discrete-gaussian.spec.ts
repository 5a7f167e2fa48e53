/**
 * The exact discrete Gaussian sampler (Canonne, Kamath, Steinke 2020): moments at a fixed seed,
 * the pmf itself by chi-square at small σ (cheap and exact: P(x) ∝ exp(−x²/(2σ²))), the
 * discrete Laplace proposal and the Bernoulli(exp(−γ)) coin, and the calibration of the
 * distributed noise: t shares sum to variance (σ·C·S)².
 */
import assert from 'node:assert/strict'
import { seededRandom } from '../../src/crypto/index.ts'
import { planQuantization } from '../../src/protocol/index.ts'
import { bernoulliExp, bufferedRandom, noiseOptions, sampleDiscreteGaussian, sampleDiscreteGaussianWords, sampleDiscreteLaplace, sampleNoiseShare } from '../../src/privacy/index.ts'

function moments (xs: ArrayLike<number>): { mean: number, variance: number } {
  let s = 0
  for (let i = 0; i < xs.length; i++) s += xs[i]!
  const mean = s / xs.length
  let v = 0
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2
  return { mean, variance: v / (xs.length - 1) }
}

/** Chi-square of integer draws against pmf(x) ∝ weight(x), bins |x| ≤ cut, tails pooled. */
function chiSquare (draws: ArrayLike<number>, weight: (x: number) => number, cut: number): { stat: number, df: number } {
  let norm = 0
  for (let x = -50 * cut; x <= 50 * cut; x++) norm += weight(x)
  const counts = new Map<number, number>()
  for (let i = 0; i < draws.length; i++) {
    const x = Math.max(-cut - 1, Math.min(cut + 1, draws[i]!))
    counts.set(x, (counts.get(x) ?? 0) + 1)
  }
  let tail = 0
  for (let x = -cut; x <= cut; x++) tail += weight(x)
  let stat = 0
  for (let x = -cut - 1; x <= cut + 1; x++) {
    const p = Math.abs(x) === cut + 1 ? (norm - tail) / norm / 2 : weight(x) / norm
    const expected = p * draws.length
    stat += ((counts.get(x) ?? 0) - expected) ** 2 / expected
  }
  return { stat, df: 2 * cut + 2 }
}

describe('privacy: discrete Gaussian sampler', function () {
  this.timeout(60_000)

  it('mean 0 and variance σ² (within sampling error) for σ = 3, 50 and 10^6, at a fixed seed', () => {
    const n = 20_000
    for (const sigma of [3, 50, 1_000_000]) {
      const { mean, variance } = moments(sampleDiscreteGaussianWords(bufferedRandom(seededRandom(`moments/${sigma}`)), sigma, n))
      assert.ok(Math.abs(mean) < 4 * sigma / Math.sqrt(n), `σ = ${sigma}: mean ${mean}`)
      // The sample variance has relative standard deviation √(2/n) = 1%.
      assert.ok(Math.abs(variance / (sigma * sigma) - 1) < 0.05, `σ = ${sigma}: variance ${variance} vs ${sigma * sigma}`)
    }
  })

  it('matches the discrete Gaussian pmf exactly (chi-square, σ = 2 and σ = 1)', () => {
    for (const sigma of [1, 2]) {
      const draws = sampleDiscreteGaussianWords(bufferedRandom(seededRandom(`pmf/${sigma}`)), sigma, 40_000)
      const { stat, df } = chiSquare(draws, (x) => Math.exp(-x * x / (2 * sigma * sigma)), 3 * sigma)
      // 99.9% quantile of chi-square: df + 3.1·√(2·df) + 5 is above it for these df.
      assert.ok(stat < df + 3.1 * Math.sqrt(2 * df) + 5, `σ = ${sigma}: chi-square ${stat.toFixed(1)} with ${df} degrees of freedom`)
    }
  })

  it('a sampler that is off by a little is caught by the same chi-square (the test has power)', () => {
    const sigma = 2
    const draws = sampleDiscreteGaussianWords(bufferedRandom(seededRandom('pmf/power')), sigma, 40_000)
    const { stat, df } = chiSquare(draws, (x) => Math.exp(-x * x / (2 * 2.1 * 2.1)), 3 * sigma)
    assert.ok(stat > df + 3.1 * Math.sqrt(2 * df) + 5, `σ = 2.1 against σ = 2 draws: chi-square ${stat.toFixed(1)}`)
  })

  it('the discrete Laplace proposal has P(x) ∝ exp(−|x|/t), and Bernoulli(exp(−γ)) its probability', () => {
    const rng = bufferedRandom(seededRandom('laplace'))
    const draws = Array.from({ length: 30_000 }, () => Number(sampleDiscreteLaplace(rng, 3n)))
    const { stat, df } = chiSquare(draws, (x) => Math.exp(-Math.abs(x) / 3), 9)
    assert.ok(stat < df + 3.1 * Math.sqrt(2 * df) + 5, `Laplace chi-square ${stat.toFixed(1)}`)
    const n = 40_000
    let hits = 0
    for (let i = 0; i < n; i++) if (bernoulliExp(rng, 7n, 3n)) hits++
    const p = Math.exp(-7 / 3)
    assert.ok(Math.abs(hits / n - p) < 4 * Math.sqrt(p * (1 - p) / n), `Bernoulli(exp(−7/3)): ${hits / n} vs ${p}`)
  })

  it('is reproducible from the seed, and refuses σ < 1', () => {
    const a = sampleDiscreteGaussianWords(bufferedRandom(seededRandom('same')), 1000, 100)
    const b = sampleDiscreteGaussianWords(bufferedRandom(seededRandom('same')), 1000, 100)
    assert.deepEqual(a, b)
    assert.throws(() => sampleDiscreteGaussian(seededRandom('x'), 0n), RangeError)
    assert.throws(() => sampleDiscreteGaussianWords(seededRandom('x'), 0.5, 1), RangeError)
  })

  it('calibration: t shares sum to variance σ²·C²·S² (more survivors only add noise)', () => {
    const clip = 0.5
    const sigma = 1.3
    const members = 5
    const t = 3
    const dim = 20_000
    const plan = planQuantization({ clip, maxWeight: 1, members, noise: noiseOptions(clip, sigma, t, dim) })
    const target = (sigma * clip * plan.scale) ** 2
    const sumOf = (count: number): Float64Array => {
      const sum = new Float64Array(dim)
      for (let m = 0; m < count; m++) {
        const share = sampleNoiseShare(plan, dim, seededRandom(`calibration/${m}`))
        for (let j = 0; j < dim; j++) sum[j]! += share[j]!
      }
      return sum
    }
    const atT = moments(sumOf(t)).variance / target
    assert.ok(atT > 0.96 && atT < 1.05, `t shares: variance / (σCS)² = ${atT}`)
    const atN = moments(sumOf(members)).variance / target
    assert.ok(Math.abs(atN - members / t) < 0.06 * members / t, `n shares: variance / (σCS)² = ${atN}, expected ${members / t}`)
  })
})
