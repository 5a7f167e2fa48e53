/** Evaluation metrics: ROC AUC (Mann–Whitney with tied ranks), sensitivity, specificity. */
import assert from 'node:assert/strict'
import { evaluate, rocAuc } from '../../src/train/metrics.ts'

describe('train: metrics', () => {
  it('AUC: 1 for a perfect ranking, 0 reversed, 0.5 for all ties, the pair fraction otherwise; null without both classes', () => {
    assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1)
    assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0)
    assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]), 0.5)
    // Positives 0.4, 0.8 vs negatives 0.3, 0.6: pairs won 1 + 2 of 4.
    assert.equal(rocAuc([0.3, 0.4, 0.6, 0.8], [false, true, false, true]), 0.75)
    assert.equal(rocAuc([0.3, 0.4], [true, true]), null)
  })

  it('binary: accuracy, sensitivity and specificity of the positive class (index 1)', () => {
    // Predictions: TP, FN, TN, TN, FP.
    const p = Float32Array.from([0.2, 0.8, 0.6, 0.4, 0.9, 0.1, 0.7, 0.3, 0.4, 0.6])
    const m = evaluate(p, Int32Array.from([1, 1, 0, 0, 0]), 2)
    assert.equal(m.accuracy, 3 / 5)
    assert.equal(m.sensitivity, 1 / 2)
    assert.equal(m.specificity, 2 / 3)
    assert.equal(m.samples, 5)
  })

  it('more classes: macro one-vs-rest averages', () => {
    const p = Float32Array.from([0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.7, 0.2, 0.1])
    const m = evaluate(p, Int32Array.from([0, 1, 2, 2]), 3)
    assert.equal(m.accuracy, 0.75)
    assert.equal(m.sensitivity, (1 + 1 + 0.5) / 3)
    assert.equal(m.specificity, (2 / 3 + 1 + 1) / 3)
    assert.ok(m.auc !== null && m.auc > 0.8)
  })
})
