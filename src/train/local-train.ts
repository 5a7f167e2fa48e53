/**
 * One member's local step of federated averaging (McMahan et al. 2017, Algorithm 1,
 * ClientUpdate): start from the global weights, run E epochs of minibatch training on local
 * data, return the update (local − global) and the sample count that weights it. Batches are
 * shuffled from a seeded stream, not tfjs' Math.random shuffle, so runs are reproducible.
 */
import { tf } from './backend.ts'
import { seededOrder } from './data/image-set.ts'
import type { ImageSet } from './data/image-set.ts'
import { evaluate } from './metrics.ts'
import type { Metrics } from './metrics.ts'
import { getFlatWeights, setFlatWeights } from './model.ts'

export interface LocalTrainOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly learningRate: number
  readonly seed: string
  readonly signal?: AbortSignal
  readonly onEpoch?: (epoch: number, loss: number) => void
}

export interface LocalUpdate {
  readonly update: Float32Array
  readonly samples: number
  readonly loss: number
}

function batchTensors (data: ImageSet, indices: readonly number[], classes: number): { x: tf.Tensor4D, y: tf.Tensor2D } {
  const size = data.height * data.width * data.channels
  const pixels = new Float32Array(indices.length * size)
  const labels = new Int32Array(indices.length)
  indices.forEach((k, i) => {
    pixels.set(data.pixels.subarray(k * size, (k + 1) * size), i * size)
    labels[i] = data.labels[k]!
  })
  return tf.tidy(() => ({
    x: tf.tensor4d(pixels, [indices.length, data.height, data.width, data.channels]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D
  }))
}

export async function trainLocal (model: tf.LayersModel, global: Float32Array, data: ImageSet, options: LocalTrainOptions): Promise<LocalUpdate> {
  setFlatWeights(model, global)
  // A fresh optimizer each round: its state is local and is not aggregated.
  model.compile({ optimizer: tf.train.adam(options.learningRate), loss: 'categoricalCrossentropy' })
  const n = data.labels.length
  const classes = data.classes.length
  let loss = Number.NaN
  for (let e = 0; e < options.epochs; e++) {
    options.signal?.throwIfAborted()
    // The epoch's samples in our seeded order; fit walks them in order (shuffle off) and
    // syncs with the backend once per epoch instead of once per batch as trainOnBatch does.
    const { x, y } = batchTensors(data, seededOrder(n, `${options.seed}/epoch-${e}`), classes)
    try {
      const history = await model.fit(x, y, { batchSize: options.batchSize, epochs: 1, shuffle: false, verbose: 0 })
      loss = (history.history.loss as number[])[0]!
    } finally {
      tf.dispose([x, y])
    }
    options.onEpoch?.(e, loss)
  }
  const local = getFlatWeights(model)
  const update = new Float32Array(local.length)
  for (let i = 0; i < local.length; i++) update[i] = local[i]! - global[i]!
  return { update, samples: n, loss }
}

/** Metrics of `weights` on `data`, predicted in batches. */
export function evaluateWeights (model: tf.LayersModel, weights: Float32Array, data: ImageSet, batchSize = 512): Metrics {
  setFlatWeights(model, weights)
  const n = data.labels.length
  const classes = data.classes.length
  const probabilities = new Float32Array(n * classes)
  const size = data.height * data.width * data.channels
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const p = tf.tidy(() => {
      const x = tf.tensor4d(data.pixels.subarray(start * size, end * size), [end - start, data.height, data.width, data.channels])
      return (model.predict(x) as tf.Tensor).dataSync() as Float32Array
    })
    probabilities.set(p, start * classes)
  }
  return evaluate(probabilities, data.labels, classes)
}
