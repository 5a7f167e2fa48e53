/**
 * The project's MLP (`buildModel('mlp')`: flatten → dense 128 ReLU → dense softmax, trained
 * with categorical cross-entropy) written as a plain function of its weight tensors, so its
 * gradient can itself be differentiated. A gradient-inversion attack (Zhu et al., NeurIPS 2019;
 * Geiping et al., NeurIPS 2020) needs d/dx of a loss on ∇_θ L(x): tfjs' layers API computes
 * ∇_θ through variables and cannot be nested, and tfjs 4.22 has no gradient for
 * Conv2DBackpropFilter (on any backend), so the CNN's filter gradient cannot be
 * differentiated with respect to the image — the study attacks the MLP.
 */
import { tf } from '../backend.ts'

export class MlpShapeError extends Error {
  static override name = 'MlpShapeError'
  override name = 'MlpShapeError'
}

/** The MLP's layout: pixels per image, hidden units, classes (the flat weight order is kernel1, bias1, kernel2, bias2). */
export interface MlpLayout {
  readonly inputs: number
  readonly hidden: number
  readonly classes: number
}

/** The layout of a `buildModel('mlp')` model, read from its weight shapes. */
export function mlpLayoutOf (model: tf.LayersModel): MlpLayout {
  const shapes = model.getWeights().map((w) => w.shape)
  if (shapes.length !== 4 || shapes[0]!.length !== 2 || shapes[2]!.length !== 2) throw new MlpShapeError(`not the project's MLP: weight shapes ${JSON.stringify(shapes)}`)
  return { inputs: shapes[0]![0]!, hidden: shapes[0]![1]!, classes: shapes[2]![1]! }
}

export function mlpParameterCount (layout: MlpLayout): number {
  return layout.inputs * layout.hidden + layout.hidden + layout.hidden * layout.classes + layout.classes
}

/** The flat weight vector as the four tensors [kernel1, bias1, kernel2, bias2] (caller disposes). */
export function mlpTensors (layout: MlpLayout, flat: Float32Array): tf.Tensor[] {
  if (flat.length !== mlpParameterCount(layout)) throw new MlpShapeError(`weight vector has ${flat.length} values, the MLP ${mlpParameterCount(layout)}`)
  const { inputs, hidden, classes } = layout
  const shapes = [[inputs, hidden], [hidden], [hidden, classes], [classes]]
  let at = 0
  return shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const t = tf.tensor(flat.subarray(at, at + size), shape, 'float32')
    at += size
    return t
  })
}

/** Mean categorical cross-entropy of the MLP over a batch: images [N, inputs], one-hot labels [N, classes]. */
export function mlpLoss (weights: readonly tf.Tensor[], images: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  const [k1, b1, k2, b2] = weights as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]
  const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(images as tf.Tensor2D, k1 as tf.Tensor2D), b1)), k2 as tf.Tensor2D), b2)
  return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar
}

/** ∇_θ of the mean loss, as tensors in the weight order (differentiable with respect to `images`). */
export function mlpGradientTensors (weights: readonly tf.Tensor[], images: tf.Tensor, oneHot: tf.Tensor): tf.Tensor[] {
  return tf.grads((...w: tf.Tensor[]) => mlpLoss(w, images, oneHot))([...weights])
}

/** One-hot labels [N, classes]. */
export function oneHotLabels (labels: Int32Array, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D)
}

/** ∇_θ of the mean loss over `images` (N · inputs values in [0, 1]) as one flat vector in the model's weight order. */
export function mlpGradient (layout: MlpLayout, flat: Float32Array, images: Float32Array, labels: Int32Array): Float32Array {
  if (images.length !== labels.length * layout.inputs) throw new MlpShapeError(`${images.length} pixel values for ${labels.length} images of ${layout.inputs}`)
  const weights = mlpTensors(layout, flat)
  try {
    const out = tf.tidy(() => {
      const x = tf.tensor2d(images, [labels.length, layout.inputs])
      const grads = mlpGradientTensors(weights, x, oneHotLabels(labels, layout.classes))
      return tf.concat(grads.map((g) => g.reshape([-1])))
    })
    const values = out.dataSync() as Float32Array
    out.dispose()
    return Float32Array.from(values)
  } finally {
    tf.dispose(weights)
  }
}
