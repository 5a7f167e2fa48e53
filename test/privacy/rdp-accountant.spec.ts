/**
 * The RDP accountant against published numbers from TensorFlow Privacy (same orders grid and
 * conversion as the reference in each case):
 *
 * - tensorflow/privacy tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py
 *   (https://github.com/tensorflow/privacy/blob/master/tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py):
 *   N = 60,000, batch 150, σ = 1.3, 15 epochs, δ = 1e-5 → ε = 0.7242234026109595 at order 19;
 *   N = 100,000, batch 100, σ = 1.0, 30 epochs, δ = 1e-7 → ε = 1.4154988495444842 at order 13
 *   (improved conversion, grid of compute_dp_sgd_privacy_lib.py).
 * - compute_dp_sgd_privacy.py's docstring since 2019 (commit 4f9cc8e): N = 60,000, batch 256,
 *   σ = 1.12, 60 epochs, δ = 1e-5 → (2.92, 1e-5)-DP; tutorials/README.md: σ = 1.1 → ε = 3.01
 *   (both the classic Mironov conversion of that time, same grid).
 * - tensorflow_privacy/privacy/analysis/rdp_accountant_test.py: compute_rdp(0.1, 2, 10, 5) =
 *   0.07737; compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]); constant RDP 1.1 on orders
 *   2..32 → ε = 1.32783806176 at δ = 1e-5; no subsampling, z = 4.530877117, 1 step → exactly
 *   (1, 1e-6)-DP on a fine grid; compute_rdp(1, 10, 1, 20) = 0.1 (q = 1: α/(2z²)).
 * - Opacus (an independent port, PyTorch), opacus/tests/accountants_test.py,
 *   test_rdp_accountant (https://github.com/pytorch/opacus/blob/main/opacus/tests/accountants_test.py):
 *   σ = 1.5, sample rate 0.04, int(90 / 0.04) = 2250 steps, δ = 1e-5 → ε = 7.32911117143, on
 *   Opacus's DEFAULT_ALPHAS (1.1, 1.2, …, 10.9, then 12 … 63) and its improved conversion.
 */
import assert from 'node:assert/strict'
import { computeRdp, DEFAULT_ORDERS, epsilonFromRdp } from '../../src/privacy/rdp-accountant.ts'
import type { Conversion } from '../../src/privacy/rdp-accountant.ts'

function dpSgd (n: number, batch: number, z: number, epochs: number, delta: number, conversion: Conversion): { epsilon: number, order: number } {
  const steps = Math.ceil(epochs * n / batch)
  return epsilonFromRdp(DEFAULT_ORDERS, computeRdp(batch / n, z, steps), delta, conversion)
}

function near (actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: ${actual} vs published ${expected}`)
}

describe('privacy: RDP accountant vs published values', () => {
  it('TF Privacy compute_dp_sgd_privacy_test: ε and the optimal order (improved conversion)', () => {
    const a = dpSgd(60_000, 150, 1.3, 15, 1e-5, 'improved')
    near(a.epsilon, 0.7242234026109595, 1e-6, 'N=60000 b=150 z=1.3 15 epochs')
    assert.equal(a.order, 19)
    const b = dpSgd(100_000, 100, 1.0, 30, 1e-7, 'improved')
    near(b.epsilon, 1.4154988495444842, 1e-6, 'N=100000 b=100 z=1 30 epochs')
    assert.equal(b.order, 13)
  })

  it('Opacus accountants_test: σ = 1.5, q = 0.04, 2250 steps, δ = 1e-5 → ε = 7.32911117143 (its orders grid)', () => {
    const opacusAlphas = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => 12 + i)]
    const { epsilon } = epsilonFromRdp(opacusAlphas, computeRdp(0.04, 1.5, Math.trunc(90 / 0.04), opacusAlphas), 1e-5)
    near(epsilon, 7.32911117143, 1e-9, 'Opacus test_rdp_accountant')
  })

  it('TF Privacy MNIST tutorial: σ = 1.12 → 2.92 and σ = 1.1 → 3.01 (classic conversion); improved is smaller', () => {
    near(dpSgd(60_000, 256, 1.12, 60, 1e-5, 'classic').epsilon, 2.92, 0.01, 'docstring example')
    near(dpSgd(60_000, 256, 1.1, 60, 1e-5, 'classic').epsilon, 3.01, 0.01, 'README example')
    assert.ok(dpSgd(60_000, 256, 1.1, 60, 1e-5, 'improved').epsilon < 3.0)
  })

  it('TF Privacy rdp_accountant_test: RDP values of the sampled Gaussian (integer and fractional orders)', () => {
    near(computeRdp(0.1, 2, 10, [5])[0]!, 0.07737, 1e-4, 'compute_rdp(0.1, 2, 10, 5)')
    const expected = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307]
    computeRdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]).forEach((r, i) => assert.ok(Math.abs(r - expected[i]!) <= 1e-5, `order ${[1.5, 2.5, 5, 50, 100][i]}: ${r} vs ${expected[i]}`))
    assert.equal(computeRdp(1, 10, 1, [20])[0], 0.1)
    assert.equal(computeRdp(0, 10, 1, [20])[0], 0)
  })

  it('TF Privacy rdp_accountant_test: conversions to (ε, δ)', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2)
    const constant = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5)
    near(constant.epsilon, 1.32783806176, 1e-9, 'constant RDP 1.1')
    assert.equal(constant.order, 32)
    const fine = Array.from({ length: 99_000 }, (_, i) => 0.001 * (i + 1001))
    near(epsilonFromRdp(fine, computeRdp(1, 4.530877117, 1, fine), 1e-6).epsilon, 1, 1e-6, 'Gaussian z = 4.530877117 without subsampling')
  })

  it('more noise, fewer steps or a larger δ never cost more ε', () => {
    const base = dpSgd(10_000, 100, 1, 5, 1e-5, 'improved').epsilon
    assert.ok(dpSgd(10_000, 100, 1.5, 5, 1e-5, 'improved').epsilon < base)
    assert.ok(dpSgd(10_000, 100, 1, 2, 1e-5, 'improved').epsilon < base)
    assert.ok(dpSgd(10_000, 100, 1, 5, 1e-3, 'improved').epsilon < base)
    assert.ok(dpSgd(10_000, 100, 1, 5, 1e-5, 'improved').epsilon <= dpSgd(10_000, 100, 1, 5, 1e-5, 'classic').epsilon)
  })
})
