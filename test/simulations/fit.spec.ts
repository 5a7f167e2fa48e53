/** The growth-exponent fit: exact on a known power law, sane on noisy data, loud on unusable input. */
import assert from 'node:assert/strict'
import { evaluateFit, fitPowerLaw } from '../../simulations/lib/fit.ts'

describe('simulations: power-law fit on log–log', () => {
  it('recovers a and b of y = 3 · x^1.5 exactly, with r² = 1', () => {
    const fit = fitPowerLaw([10, 20, 50, 100, 1000].map((x) => ({ x, y: 3 * x ** 1.5 })))
    assert.ok(Math.abs(fit.exponent - 1.5) < 1e-12, `exponent ${fit.exponent}`)
    assert.ok(Math.abs(fit.coefficient - 3) < 1e-9, `coefficient ${fit.coefficient}`)
    assert.ok(Math.abs(fit.r2 - 1) < 1e-12)
    assert.ok(Math.abs(evaluateFit(fit, 400) - 3 * 400 ** 1.5) < 1e-6)
  })

  it('fits the least-squares slope through scattered points and reports r² below 1', () => {
    // ln y = 2 ln x ± 0.1 alternately: the slope stays 2 only if the residuals cancel.
    const points = [1, 2, 4, 8].map((x, i) => ({ x, y: x ** 2 * Math.exp(i % 2 === 0 ? 0.1 : -0.1) }))
    const fit = fitPowerLaw(points)
    // Hand-computed OLS on (ln x, ln y): slope 2 − 0.2·Σ(±)(ln x − mean)/Sxx.
    const lx = [1, 2, 4, 8].map(Math.log)
    const mx = lx.reduce((a, b) => a + b) / 4
    const sxx = lx.reduce((a, v) => a + (v - mx) ** 2, 0)
    const expected = 2 + lx.reduce((a, v, i) => a + (v - mx) * (i % 2 === 0 ? 0.1 : -0.1), 0) / sxx
    assert.ok(Math.abs(fit.exponent - expected) < 1e-12, `exponent ${fit.exponent} vs ${expected}`)
    assert.ok(fit.r2 < 1 && fit.r2 > 0.9, `r² ${fit.r2}`)
  })

  it('drops non-positive values and refuses fewer than two usable points or a single x', () => {
    assert.equal(fitPowerLaw([{ x: 1, y: 0 }, { x: 2, y: 4 }, { x: 4, y: 16 }]).points, 2)
    assert.throws(() => fitPowerLaw([{ x: 1, y: 1 }, { x: 2, y: 0 }]), (e: Error) => e.name === 'FitError' && /at least two points/.test(e.message))
    assert.throws(() => fitPowerLaw([{ x: 3, y: 1 }, { x: 3, y: 2 }]), (e: Error) => e.name === 'FitError' && /different x/.test(e.message))
  })
})
