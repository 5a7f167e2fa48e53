/**
 * The reconstruction attacker of Popescu et al. (Applied Sciences 12(8), 2022), section on
 * AI-based attacks: a network trained on (obfuscated, original) pairs to undo the
 * obfuscation, then applied to the victim's obfuscated images. Here a small convolutional
 * encoder (two 3 × 3 convolutions, a 2 × 2 pool) with a dense decoder — the convolutions can
 * learn a per-pixel inverse of an intensity map, the dense layers the VAE's global shape —
 * trained with mean squared error. Its weights and batch order are seeded.
 */
import { tf } from '../../src/train/backend.ts'
import { seededOrder } from '../../src/train/data/image-set.ts'
import { initialWeights, setFlatWeights } from '../../src/train/model.ts'

export interface AttackPairs {
  readonly size: number
  /** N obfuscated images (inputs) and the N originals they came from (targets), size² values each. */
  readonly obfuscated: Float32Array
  readonly originals: Float32Array
}

export function buildAttacker (size: number, seed: string): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: size * size, activation: 'sigmoid' }),
      tf.layers.reshape({ targetShape: [size, size, 1] })
    ]
  })
  setFlatWeights(model, initialWeights(model, `attacker/${seed}`))
  return model
}

/** Trains a fresh attacker on `pairs` and returns its reconstructions of `targets` (obfuscated images). */
export async function trainAndAttack (pairs: AttackPairs, targets: Float32Array, o: { epochs: number, seed: string, batchSize?: number }): Promise<Float32Array> {
  const s = pairs.size
  const pixels = s * s
  const n = pairs.obfuscated.length / pixels
  const model = buildAttacker(s, o.seed)
  try {
    model.compile({ optimizer: tf.train.adam(2e-3), loss: 'meanSquaredError' })
    for (let e = 0; e < o.epochs; e++) {
      const order = seededOrder(n, `${o.seed}/epoch-${e}`)
      const x = new Float32Array(n * pixels)
      const y = new Float32Array(n * pixels)
      order.forEach((k, i) => {
        x.set(pairs.obfuscated.subarray(k * pixels, (k + 1) * pixels), i * pixels)
        y.set(pairs.originals.subarray(k * pixels, (k + 1) * pixels), i * pixels)
      })
      const xs = tf.tensor4d(x, [n, s, s, 1])
      const ys = tf.tensor4d(y, [n, s, s, 1])
      try {
        await model.fit(xs, ys, { batchSize: o.batchSize ?? 64, epochs: 1, shuffle: false, verbose: 0 })
      } finally {
        tf.dispose([xs, ys])
      }
    }
    return tf.tidy(() => (model.predict(tf.tensor4d(targets, [targets.length / pixels, s, s, 1])) as tf.Tensor).dataSync() as Float32Array)
  } finally {
    model.dispose()
  }
}
