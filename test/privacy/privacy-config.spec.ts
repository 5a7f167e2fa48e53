/** The privacy configuration's errors and the ledger's budget refusal (docs/PRIVACY.md). */
import assert from 'node:assert/strict'
import { oneRoundEpsilon, parsePrivacyConfig, PrivacyLedger } from '../../src/privacy/index.ts'

const good = { clip: 1, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 10 }

describe('privacy: configuration and budget', () => {
  it('accepts a sound configuration', () => {
    assert.deepEqual(parsePrivacyConfig(good), good)
  })

  it('names each bad field and the fix', () => {
    const bad: Array<[object, RegExp]> = [
      [{ noiseMultiplier: 0 }, /privacy\.noiseMultiplier: must be > 0/],
      [{ noiseMultiplier: -1 }, /privacy\.noiseMultiplier: must be > 0/],
      [{ delta: 1 }, /privacy\.delta: must be < 1/],
      [{ delta: 0 }, /privacy\.delta: must be > 0/],
      [{ clip: 0 }, /privacy\.clip: must be > 0/],
      [{ clip: 'one' }, /privacy\.clip: must be a number/],
      [{ extra: 1 }, /Unrecognized key/]
    ]
    for (const [change, message] of bad) assert.throws(() => parsePrivacyConfig({ ...good, ...change }), { name: 'PrivacyConfigError', message })
  })

  it('refuses a budget one round already exceeds', () => {
    const first = oneRoundEpsilon(0.5, 1e-5)
    assert.throws(() => parsePrivacyConfig({ ...good, noiseMultiplier: 0.5, epsilonBudget: first * 0.9 }),
      { name: 'PrivacyConfigError', message: /privacy\.epsilonBudget: one round at noiseMultiplier 0\.5 already spends ε ≥ .* > epsilonBudget .*raise the budget or the noise multiplier/ })
    assert.doesNotThrow(() => parsePrivacyConfig({ ...good, noiseMultiplier: 0.5, epsilonBudget: first * 1.1 }))
  })

  it('the ledger refuses the round that would exceed the budget and counts only recorded rounds', () => {
    const ledger = new PrivacyLedger({ delta: 1e-5, epsilonBudget: 9 })
    assert.equal(ledger.epsilon, 0)
    assert.equal(ledger.refusal(1), undefined)
    const e1 = ledger.record(1)
    const e2 = ledger.record(1)
    assert.ok(e1 > 0 && e2 > e1 && e2 < 9)
    assert.equal(ledger.epsilonAfter(1) > 9, true)
    assert.match(ledger.refusal(1)!, /one more round would spend ε = .* > epsilonBudget 9 .*2 rounds spent ε = /)
    assert.equal(ledger.refusal(10), undefined, 'a round with much more noise still fits')
    assert.equal(ledger.rounds, 2)
  })
})
