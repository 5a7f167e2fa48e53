/** The functional MLP gradient the attack differentiates, iDLG's label rule, and the attack on a known image. */
import assert from 'node:assert/strict'
import { seededRandom } from '../../../src/crypto/index.ts'
import { initBackend, tf } from '../../../src/train/backend.ts'
import { invertGradient } from '../../../src/train/eval/gradient-inversion.ts'
import { ssim } from '../../../src/train/eval/image-quality.ts'
import { labelFromBiasGradient } from '../../../src/train/eval/label-recovery.ts'
import { mlpGradient, mlpLayoutOf } from '../../../src/train/eval/mlp-gradient.ts'
import { buildModel, initialWeights, setFlatWeights } from '../../../src/train/model.ts'

/** A 12 × 12 image with a bright bar, the rest dark: structure SSIM can see. */
function barImage (): Float32Array {
  return Float32Array.from({ length: 144 }, (_, i) => (i % 12 >= 4 && i % 12 <= 6 && i > 24 && i < 120 ? 0.9 : 0.1))
}

describe('train/eval: gradient inversion on the MLP', () => {
  before(async () => { await initBackend() })

  it('computes the same gradient as the tf.layers MLP trained with categorical cross-entropy', () => {
    const model = buildModel('mlp', { height: 12, width: 12, channels: 1 }, 3)
    const flat = initialWeights(model, 'grad-check')
    setFlatWeights(model, flat)
    const images = Float32Array.from({ length: 2 * 144 }, (_, i) => (i * 37 % 101) / 100)
    const labels = Int32Array.from([2, 0])
    const ours = mlpGradient(mlpLayoutOf(model), flat, images, labels)
    const { grads } = tf.variableGrads(() => tf.tidy(() => {
      const predicted = model.apply(tf.tensor4d(images, [2, 12, 12, 1])) as tf.Tensor
      return tf.mean(tf.metrics.categoricalCrossentropy(tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat(), predicted)) as tf.Scalar
    }), model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val))
    const theirs = Float32Array.from(model.trainableWeights.flatMap((w) => [...grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync()]))
    tf.dispose(Object.values(grads))
    model.dispose()
    assert.equal(ours.length, theirs.length)
    let worst = 0
    let scale = 0
    for (let i = 0; i < ours.length; i++) { worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!)); scale = Math.max(scale, Math.abs(theirs[i]!)) }
    assert.ok(scale > 0 && worst / scale < 1e-4, `max difference ${worst} against max gradient ${scale}`)
  })

  it('reads a single image\'s label off the last bias gradient (iDLG) and reconstructs the image from its gradient', async () => {
    const model = buildModel('mlp', { height: 12, width: 12, channels: 1 }, 3)
    const layout = mlpLayoutOf(model)
    const weights = initialWeights(model, 'attack-check')
    model.dispose()
    const image = barImage()
    const gradient = mlpGradient(layout, weights, image, Int32Array.from([1]))
    assert.equal(labelFromBiasGradient(layout, gradient), 1)
    const result = await invertGradient({ layout, weights, observedGradient: gradient, labels: Int32Array.from([1]), height: 12, width: 12 },
      { iterations: 150, learningRate: 0.1, tvWeight: 0.01, restarts: 1 }, seededRandom('attack-check'))
    const score = ssim({ width: 12, height: 12, values: image }, { width: 12, height: 12, values: result.images })
    assert.ok(score > 0.8, `SSIM ${score} of the reconstruction from the plain gradient`)
    assert.ok(result.gradientDistance < 0.01, `1 − cos ${result.gradientDistance}`)
  })

  it('stops between iterations when its signal aborts', async () => {
    const model = buildModel('mlp', { height: 12, width: 12, channels: 1 }, 3)
    const layout = mlpLayoutOf(model)
    const weights = initialWeights(model, 'abort-check')
    model.dispose()
    const gradient = mlpGradient(layout, weights, barImage(), Int32Array.from([0]))
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(invertGradient({ layout, weights, observedGradient: gradient, labels: Int32Array.from([0]), height: 12, width: 12 },
      { iterations: 10, learningRate: 0.1, tvWeight: 0.01, restarts: 1 }, seededRandom('abort'), controller.signal), (e: Error) => e.name === 'AbortError')
  })
})
