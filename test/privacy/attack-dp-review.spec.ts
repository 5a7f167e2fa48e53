/**
 * Attacker review of the differential-privacy layer (src/privacy, the noise in
 * protocol/quantize.ts and result-bounds.ts, node/task/member-privacy.ts), against the real
 * functions. Tests named "ATTACK (currently succeeds)" fail while the weakness is there; the
 * others are checks that held.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { seededRandom } from '../../src/crypto/index.ts'
import { consortiumQuantization } from '../../src/node/config/consortium-quantization.ts'
import { parseConsortium } from '../../src/node/config/consortium.ts'
import { MemberPrivacy } from '../../src/node/task/member-privacy.ts'
import { effectiveNoiseMultiplier, noiseOptions, PrivacyLedger, sampleDiscreteGaussian, sampleNoiseShare } from '../../src/privacy/index.ts'
import { PrivateRounds } from '../../src/sim/private-rounds.ts'
import { decodeSum, defaultMaxCorrupt, noiseBound, planQuantization, resultBoundsViolation } from '../../src/protocol/index.ts'
import { SecretScanner } from '../helpers/secret-scan.ts'
import { seededPeerIds } from '../helpers/peer-ids.ts'

const PRIVACY = { clip: 1, noiseMultiplier: 1.1, delta: 1e-5, epsilonBudget: 8 }
const TRAIN = { type: 'train', classes: ['normal', 'opacity'], imageSize: 16 }

async function consortium (n: number, maxCorrupt: number, extra: Record<string, unknown> = {}): Promise<ReturnType<typeof parseConsortium>['file']> {
  const ids = await seededPeerIds('dp-review', n)
  return parseConsortium(Buffer.from(JSON.stringify({
    consortium: 'dp-review', members: ids.map((peerId) => ({ peerId })), protocol: { clip: 1, maxWeight: 1, maxCorrupt }, task: TRAIN, privacy: PRIVACY, ...extra
  })), 'c.json').file
}

describe('attack review: differential privacy', function () {
  this.timeout(120_000)

  it('attack (review): a sum shifted on every coordinate by ~k·σ·C in one direction (≈ k·√d noise standard deviations along it) is refused by the L2 bound', async () => {
    const n = 7
    const d = 40_000
    const file = await consortium(n, 1)
    const withDp = consortiumQuantization(file, d)
    const without = planQuantization({ clip: 1, maxWeight: 1, members: n })
    const m = n // every member included
    const honestLimit = 1 * m + (m * 0.5) / withDp.scale // clip·Σw + rounding: the old bound
    const tail = noiseBound(withDp, m)
    // A forged sum: every coordinate at the old bound plus 99% of the noise tail, same sign everywhere.
    const forged = new Float64Array(d).fill(honestLimit + 0.99 * tail)
    const dpVerdict = resultBoundsViolation(withDp, m, forged, m)
    const oldVerdict = resultBoundsViolation(without, m, forged, m)
    // What the noise itself implies: N(0, (σC)²·m/t) per coordinate; along a chosen unit direction u
    // its projection has the same standard deviation σC·√(m/t). The forged shift's projection on
    // u = (1,…,1)/√d is (tail)·√d.
    const noiseStd = PRIVACY.noiseMultiplier * PRIVACY.clip * Math.sqrt(m / withDp.noise!.survivors)
    const shiftPerCoordinate = 0.99 * tail
    const alongU = shiftPerCoordinate * Math.sqrt(d)
    console.log(`      n=${n} t=${withDp.noise!.survivors} d=${d} k=${withDp.noise!.tailFactor.toFixed(2)}: old per-coordinate bound ${honestLimit.toFixed(3)}, ` +
      `noise tail added ${tail.toFixed(3)} per coordinate; noise std per coordinate ${noiseStd.toFixed(3)}; ` +
      `forged shift along (1..1)/√d = ${alongU.toFixed(0)} = ${(alongU / noiseStd).toFixed(0)} noise std; honest sum has L2 ≤ m·C = ${m}`)
    console.log(`      verdict without DP: ${oldVerdict?.slice(0, 80)}; with DP: ${dpVerdict ?? 'accepted'}`)
    assert.notEqual(oldVerdict, undefined, 'the old bounds refuse this sum')
    // The claim under test: the bounds add no room beyond what the noise could plausibly do.
    assert.notEqual(dpVerdict, undefined, `a sum shifted by ${shiftPerCoordinate.toFixed(2)} on all ${d} coordinates (${(alongU / noiseStd).toFixed(0)} noise std along one direction) is accepted`)
  })

  it('attack (review): the reported ε counts only t − c honest noise shares, an upper bound even against the c colluders', async () => {
    const n = 7
    const d = 10_000
    const c = defaultMaxCorrupt(n)
    const file = await consortium(n, c)
    const plan = consortiumQuantization(file, d)
    const t = plan.noise!.survivors
    const roomy = { ...PRIVACY, epsilonBudget: 1000 }
    const dir = mkdtempSync(join(tmpdir(), 'dp-review-'))
    const member = new MemberPrivacy(dir, roomy, plan, d, seededRandom('noise'), c)
    const actual = new PrivacyLedger(roomy)
    // 10 rounds with exactly t survivors, c of whom collude with the aggregator (they know their shares).
    for (let r = 0; r < 10; r++) {
      member.spend(r, t)
      actual.record(effectiveNoiseMultiplier(plan, PRIVACY.clip, d, t - c))
    }
    rmSync(dir, { recursive: true, force: true })
    const reported = member
    console.log(`      n=${n} c=${c} t=${t}: reported ε after 10 rounds ${reported.epsilon.toFixed(3)}, ε against the c colluders ${actual.epsilon.toFixed(3)}`)
    assert.ok(actual.epsilon <= reported.epsilon * 1.0001, `reported ε ${reported.epsilon.toFixed(3)} < true ε ${actual.epsilon.toFixed(3)} against c = ${c} colluders`)
  })

  describe('the ledger in DIR/privacy.json', () => {
    let dir: string
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dp-review-')) })
    afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

    it('attack (review): deleting DIR/privacy.json does not reset ε: promises.json shows inputs were sent, and the member refuses to start', async () => {
      const file = await consortium(4, 0)
      const plan = consortiumQuantization(file, 100)
      const member = new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise'))
      for (let r = 0; r < 2; r++) member.spend(r, 3)
      assert.throws(() => member.assertRoundFits(), { name: 'PrivacyBudgetError' })
      // What a node that sent those inputs also has: promises.json records each masked input.
      writeFileSync(join(dir, 'promises.json'), JSON.stringify({ salt: '0'.repeat(64), rounds: { 0: { masked: 0 }, 1: { masked: 0 } }, inputs: [] }))
      // An operator "cleaning up", a restore of DIR without the new file, or a disk mishap:
      unlinkSync(join(dir, 'privacy.json'))
      assert.throws(() => new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise')), { name: 'NodeDirError', message: /privacy\.json is missing, but .*promises\.json shows this member already sent inputs/ },
        'a restart without privacy.json must not forget the ε already spent')
    })

    it('attack (review): a privacy.json with inflated noise multipliers does not lower ε (each is capped by what the plan gives)', async () => {
      const file = await consortium(4, 0)
      const plan = consortiumQuantization(file, 100)
      const member = new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise'))
      for (let r = 0; r < 2; r++) member.spend(r, 3)
      const path = join(dir, 'privacy.json')
      const stored = JSON.parse(readFileSync(path, 'utf8'))
      stored.rounds = stored.rounds.map((x: { round: number, survivors: number }) => ({ ...x, noiseMultiplier: 1e6 }))
      writeFileSync(path, JSON.stringify(stored))
      const restarted = new MemberPrivacy(dir, file.privacy!, plan, 100, seededRandom('noise'))
      console.log(`      2 rounds: ε = ${member.epsilon.toFixed(3)}; replayed with noiseMultiplier 1e6: ε = ${restarted.epsilon.toExponential(2)}`)
      assert.ok(restarted.epsilon >= member.epsilon * 0.999, 'the replayed ledger under-reports ε')
    })
  })

  it('a noise share would not be caught by the log secret scanner: its values are too short to scan as numbers', () => {
    const scanner = new SecretScanner()
    const share = [1234567, -98765, 4321] // σ_share is in the thousands to millions of ring units
    const scannable = share.filter((x) => scanner.addNumber('noise', x))
    console.log(`      of ${share.join(', ')} the scanner accepts ${scannable.length} as scannable numbers`)
    assert.equal(scannable.length, 0) // documents the gap (held as a fact, not an attack)
  })


  it('the simulator\'s noise is a function of the public run seed (reported in its output): anyone with the seed subtracts it exactly', () => {
    const plan = planQuantization({ clip: 1, maxWeight: 1, members: 5, noise: noiseOptions(1, 1.1, 3, 50) })
    const sim = new PrivateRounds(PRIVACY, '1') // simulate's default --seed
    const updates = Array.from({ length: 5 }, (_, i) => Float32Array.from({ length: 50 }, (_, j) => Math.sin(i + j) / 10))
    const { noise } = sim.inputs(plan, updates, 3)
    const predicted = sampleNoiseShare(plan, 50, seededRandom('1/round-3/peer-2/dp-noise'))
    assert.deepEqual(Array.from(noise[2]!), Array.from(predicted))
  })

  describe('overflow (held)', () => {
    it('the plan keeps n·(W·c·S + ½) + k·√n·σ_share < 2^31 and refuses configurations that cannot', () => {
      for (const [n, t, d, sigma, clip] of [[3, 2, 1, 1, 1], [7, 4, 40_000, 1.1, 1], [50, 26, 1_000_000, 5, 1], [200, 101, 10, 100, 1], [10, 2, 1e6, 1000, 0.01]] as const) {
        let plan
        try { plan = planQuantization({ clip, maxWeight: 1, members: n, noise: noiseOptions(clip, sigma, t, d) }) } catch (e) { console.log(`      n=${n} σ=${sigma}: refused (${(e as Error).name})`); continue }
        const worst = n * (clip * plan.scale + 0.5) + plan.noise!.tailFactor * Math.sqrt(n) * plan.noise!.shareStddev
        assert.ok(worst < 2 ** 31, `n=${n} σ=${sigma}: ${worst} ≥ 2^31`)
        assert.ok(plan.noise!.shareStddev * Math.sqrt(t) >= sigma * clip * plan.scale, 'the t shares carry σ·C·S')
      }
    })

    it('a sum that wraps mod 2^32 is refused only if it wraps by less than the ~20-ring-unit slack; beyond, a sign-flipped sum is accepted — reachable by honest members only past the 2^-40 tail', () => {
      const n = 7
      const plan = planQuantization({ clip: 1, maxWeight: 1, members: n, noise: noiseOptions(1, 1.1, 5, 40_000) })
      const limitRing = (1 * n + n * 0.5 / plan.scale + noiseBound(plan, n)) * plan.scale
      const verdicts = [0, 1, 10, 1000, 2 ** 20].map((over) => {
        const { sum, weightSum } = decodeSum(plan, Uint32Array.from([(2 ** 31 + over) >>> 0, n])) // true value 2^31 + over, wrapped
        return { over, decoded: sum[0]!, refused: resultBoundsViolation(plan, n, sum, weightSum) !== undefined }
      })
      console.log(`      bound = ${limitRing.toFixed(1)} ring units = 2^31 − ${(2 ** 31 - limitRing).toFixed(1)}; wrapped by: ${verdicts.map((v) => `${v.over} → ${v.decoded.toFixed(4)} ${v.refused ? 'refused' : 'ACCEPTED'}`).join('; ')}`)
      for (const v of verdicts) if (v.over <= 10) assert.ok(v.refused)
      // The honest sum exceeds 2^31 only if its noise exceeds k·√n·σ_share (≤ 2^-40 per round, subgaussian tail): held.
      assert.ok(verdicts.some((v) => !v.refused))
    })
  })

  describe('the sampler (held)', () => {
    // χ² against the exact pmf P(x) ∝ exp(−x²/2σ²), bins of width σ/2 out to ±4σ plus two tails.
    for (const sigma of [1, 3, 1000, 2 ** 20, 60_000_000]) {
      it(`N_Z(0, σ²) with σ = ${sigma}: χ² goodness of fit (p > 1e-4) and variance`, () => {
        const N = sigma >= 1000 ? 6000 : 20000
        const rng = seededRandom(`dg-${sigma}`)
        const draws: number[] = []
        for (let i = 0; i < N; i++) draws.push(Number(sampleDiscreteGaussian(rng, BigInt(sigma))))
        const edges: number[] = []
        const w = Math.max(1, Math.round(sigma / 2))
        for (let e = -8 * w; e <= 8 * w; e += w) edges.push(e)
        // Exact bin probabilities (continuous approximation is exact enough for large σ; sum for small).
        const pmf = (x: number): number => Math.exp(-x * x / (2 * sigma * sigma))
        let Z = 0
        const R = Math.ceil(12 * sigma)
        const binProb = new Array(edges.length + 1).fill(0)
        const binOf = (x: number): number => { let b = 0; while (b < edges.length && x >= edges[b]!) b++; return b }
        if (sigma <= 1000) {
          for (let x = -R; x <= R; x++) { const p = pmf(x); Z += p; binProb[binOf(x)] += p }
          for (let b = 0; b < binProb.length; b++) binProb[b] /= Z
        } else {
          const Phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2))
          for (let b = 0; b <= edges.length; b++) {
            const lo = b === 0 ? -Infinity : edges[b - 1]! - 0.5
            const hi = b === edges.length ? Infinity : edges[b]! - 0.5
            binProb[b] = Phi(hi / sigma) - Phi(lo / sigma)
          }
        }
        const observed = new Array(edges.length + 1).fill(0)
        for (const x of draws) observed[binOf(x)]++
        let chi2 = 0
        let dof = -1
        for (let b = 0; b < observed.length; b++) {
          const e = binProb[b] * N
          if (e < 5) continue
          chi2 += (observed[b] - e) ** 2 / e
          dof++
        }
        const variance = draws.reduce((s, x) => s + x * x, 0) / N
        // Wilson–Hilferty: the χ² quantile at p = 1e-4.
        const crit = dof * (1 - 2 / (9 * dof) + 3.719 * Math.sqrt(2 / (9 * dof))) ** 3
        console.log(`      σ=${sigma}: χ² = ${chi2.toFixed(1)} on ${dof} dof (critical ${crit.toFixed(1)}), variance/σ² = ${(variance / sigma ** 2).toFixed(3)}`)
        assert.ok(chi2 < crit)
        assert.ok(Math.abs(variance / sigma ** 2 - 1) < 6 * Math.sqrt(2 / N))
      })
    }
  })
})

function erf (x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse for χ² with many draws; use a series/continued fraction.
  const t = 1 / (1 + 0.5 * Math.abs(x))
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return x >= 0 ? y : -y
}
