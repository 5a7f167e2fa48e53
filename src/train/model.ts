/**
 * The image classifiers the consortium trains, their initial weights derived from the
 * consortium seed (so every member starts from the same model without any exchange), and the
 * flat-vector view secure aggregation works on. The model hash (SHA-256 of the flat weights)
 * lets members detect that they are not on the same model.
 */
import { createHash } from 'node:crypto'
import { seededRandom } from '../crypto/index.ts'
import { tf } from './backend.ts'

export type ModelKind = 'cnn' | 'mlp'

export const MODEL_KINDS: readonly ModelKind[] = ['cnn', 'mlp']

export interface InputShape { readonly height: number, readonly width: number, readonly channels: number }

export function buildModel (kind: ModelKind, input: InputShape, classes: number): tf.Sequential {
  const inputShape = [input.height, input.width, input.channels]
  const layers = kind === 'cnn'
    ? [
        tf.layers.conv2d({ inputShape, filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 64, activation: 'relu' }),
        tf.layers.dense({ units: classes, activation: 'softmax' })
      ]
    : [
        tf.layers.flatten({ inputShape }),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dense({ units: classes, activation: 'softmax' })
      ]
  return tf.sequential({ layers })
}

/** Number of trainable parameters: the length of the vector secure aggregation sums. */
export function parameterCount (model: tf.LayersModel): number {
  return model.getWeights().reduce((n, w) => n + w.size, 0)
}

/**
 * Glorot-uniform kernels and zero biases from a seeded stream: identical on every member and
 * every backend (tfjs' own seeded initializers are not guaranteed to agree across backends).
 */
export function initialWeights (model: tf.LayersModel, seed: string): Float32Array {
  const rng = seededRandom(`initial-model/${seed}`)
  const flat = new Float32Array(parameterCount(model))
  let at = 0
  for (const w of model.getWeights()) {
    const shape = w.shape
    if (shape.length >= 2) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1)
      const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)))
      const bytes = rng(4 * w.size)
      const words = new Uint32Array(bytes.buffer, bytes.byteOffset, w.size)
      for (let i = 0; i < w.size; i++) flat[at + i] = (words[i]! / 4_294_967_296 * 2 - 1) * limit
    }
    at += w.size
  }
  return flat
}

export function getFlatWeights (model: tf.LayersModel): Float32Array {
  const out = new Float32Array(parameterCount(model))
  let at = 0
  for (const w of model.getWeights()) {
    out.set(w.dataSync() as Float32Array, at)
    at += w.size
  }
  return out
}

export function setFlatWeights (model: tf.LayersModel, flat: Float32Array): void {
  const current = model.getWeights()
  let at = 0
  const next = current.map((w) => {
    const t = tf.tensor(flat.subarray(at, at + w.size), w.shape, 'float32')
    at += w.size
    return t
  })
  if (at !== flat.length) throw new RangeError(`weight vector has ${flat.length} values, the model ${at}`)
  model.setWeights(next)
  tf.dispose(next)
}

export function modelHash (flat: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength)).digest('hex')
}
