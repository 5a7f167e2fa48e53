/**
 * The variational autoencoder of the obfuscation (Kingma and Welling, "Auto-Encoding
 * Variational Bayes", ICLR 2014), as Popescu et al. (Applied Sciences 12(8), 2022) use one:
 * trained on the member's own images, it re-encodes each image through a small latent code
 * and decodes it, so what reaches the intensity map is the VAE's smooth re-rendering, not the
 * image's own pixels (its noise, fine texture and exact grey levels do not survive).
 *
 * The VAE of Kingma and Welling's own experiments: one hidden layer of 256 units each side of
 * a `latent`-dimensional Gaussian code (a convolutional one trained ~30× slower on the wasm
 * backend here, 30 s per epoch of 1,000 32 × 32 images, for a re-rendering the map scrambles
 * anyway). Everything random comes from the key's streams — Glorot initial
 * weights (model.ts' seeded initializer, not tfjs' Math.random one), the batch order and the
 * reparameterisation noise — so the same key and images train the same VAE. Obfuscation
 * decodes the posterior mean, so applying a trained VAE is deterministic.
 */
import { tf } from '../backend.ts'
import { seededOrder } from '../data/image-set.ts'
import type { ImageSet } from '../data/image-set.ts'
import { getFlatWeights, initialWeights, parameterCount, setFlatWeights } from '../model.ts'
import type { RandomSource } from '../../crypto/index.ts'

export const DEFAULT_LATENT = 16

/** Units of the encoder's and decoder's hidden layer. */
const HIDDEN = 256

export class VaeError extends Error {
  static override name = 'VaeError'
  override name = 'VaeError'
}

export interface VaeShape {
  /** Side of the square greyscale input. */
  readonly size: number
  readonly latent: number
}

export interface VaeTrainOptions {
  readonly epochs: number
  readonly batchSize?: number
  readonly learningRate?: number
  /** Seed text for the batch order (the key's, ObfuscationKey.seed). */
  readonly orderSeed: string
  /** The reparameterisation noise ε ~ N(0, 1). */
  readonly noise: RandomSource
  readonly signal?: AbortSignal
  readonly onEpoch?: (epoch: number, loss: number) => void
}

/** Standard normal draws from a byte stream (Box–Muller on 32-bit uniforms). */
function normals (rng: RandomSource, count: number): Float32Array {
  const bytes = rng(8 * Math.ceil(count / 2))
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - words[i]! / 4_294_967_296))
    const a = 2 * Math.PI * words[i + 1]! / 4_294_967_296
    out[i] = r * Math.cos(a)
    if (i + 1 < count) out[i + 1] = r * Math.sin(a)
  }
  return out
}

export class ObfuscationVae {
  private constructor (readonly shape: VaeShape, private readonly encoder: tf.LayersModel, private readonly decoder: tf.LayersModel) {}

  /** A fresh VAE with seeded Glorot weights (`seed`: the key's). */
  static create (shape: VaeShape, seed: string): ObfuscationVae {
    if (!Number.isInteger(shape.size) || shape.size < 4 || shape.size > 512) throw new VaeError(`the obfuscation VAE takes square images of side 4 to 512, got ${shape.size}`)
    if (!Number.isInteger(shape.latent) || shape.latent < 1) throw new VaeError(`latent size must be a positive integer, got ${shape.latent}`)
    const pixels = shape.size * shape.size
    const input = tf.input({ shape: [shape.size, shape.size, 1] })
    let h = tf.layers.flatten().apply(input) as tf.SymbolicTensor
    h = tf.layers.dense({ units: HIDDEN, activation: 'relu' }).apply(h) as tf.SymbolicTensor
    const mean = tf.layers.dense({ units: shape.latent }).apply(h) as tf.SymbolicTensor
    const logVar = tf.layers.dense({ units: shape.latent }).apply(h) as tf.SymbolicTensor
    const encoder = tf.model({ inputs: input, outputs: [mean, logVar] })
    const decoder = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [shape.latent], units: HIDDEN, activation: 'relu' }),
        tf.layers.dense({ units: pixels, activation: 'sigmoid' }),
        tf.layers.reshape({ targetShape: [shape.size, shape.size, 1] })
      ]
    })
    setFlatWeights(encoder, initialWeights(encoder, `${seed}/encoder`))
    setFlatWeights(decoder, initialWeights(decoder, `${seed}/decoder`))
    return new ObfuscationVae(shape, encoder, decoder)
  }

  get parameters (): number { return parameterCount(this.encoder) + parameterCount(this.decoder) }

  /** Encoder then decoder weights, one flat vector: what the member directory stores. */
  weights (): Float32Array {
    const e = getFlatWeights(this.encoder)
    const d = getFlatWeights(this.decoder)
    const out = new Float32Array(e.length + d.length)
    out.set(e)
    out.set(d, e.length)
    return out
  }

  setWeights (flat: Float32Array): void {
    if (flat.length !== this.parameters) throw new VaeError(`stored VAE has ${flat.length} weights, a ${this.shape.size}×${this.shape.size} VAE with latent ${this.shape.latent} has ${this.parameters}`)
    const e = parameterCount(this.encoder)
    setFlatWeights(this.encoder, flat.subarray(0, e))
    setFlatWeights(this.decoder, flat.subarray(e))
  }

  /**
   * Trains on `images` (greyscale, size × size): the negative ELBO, per image the summed
   * squared reconstruction error plus the KL divergence of N(μ, σ²) from N(0, 1). Returns the
   * last epoch's mean loss.
   */
  async train (images: ImageSet, o: VaeTrainOptions): Promise<number> {
    this.checkImages(images)
    const s = this.shape.size
    const pixels = s * s
    const batchSize = o.batchSize ?? 64
    const optimizer = tf.train.adam(o.learningRate ?? 2e-3)
    const variables = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable)
    const n = images.labels.length
    let epochLoss = Number.NaN
    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        o.signal?.throwIfAborted()
        const order = seededOrder(n, `${o.orderSeed}/epoch-${epoch}`)
        let total = 0
        for (let start = 0; start < n; start += batchSize) {
          const batch = order.slice(start, start + batchSize)
          const x = new Float32Array(batch.length * pixels)
          batch.forEach((k, i) => x.set(images.pixels.subarray(k * pixels, (k + 1) * pixels), i * pixels))
          const eps = normals(o.noise, batch.length * this.shape.latent)
          const loss = optimizer.minimize(() => tf.tidy(() => {
            const xs = tf.tensor4d(x, [batch.length, s, s, 1])
            const [mean, logVar] = this.encoder.apply(xs, { training: true }) as tf.Tensor[]
            const z = mean!.add(logVar!.mul(0.5).exp().mul(tf.tensor2d(eps, [batch.length, this.shape.latent])))
            const recon = this.decoder.apply(z, { training: true }) as tf.Tensor
            const reconstruction = recon.sub(xs).square().sum([1, 2, 3])
            const kl = logVar!.exp().add(mean!.square()).sub(1).sub(logVar!).sum(1).mul(0.5)
            return reconstruction.add(kl).mean() as tf.Scalar
          }), true, variables)
          total += (await loss!.data())[0]! * batch.length
          loss!.dispose()
          await new Promise<void>((resolve) => setImmediate(resolve)) // let a caller's abort or progress timer run
        }
        epochLoss = total / n
        o.onEpoch?.(epoch, epochLoss)
      }
    } finally {
      optimizer.dispose()
    }
    return epochLoss
  }

  /** Each image decoded from its posterior mean: the VAE's re-rendering, deterministic. */
  reconstruct (images: ImageSet, batchSize = 256): Float32Array {
    this.checkImages(images)
    const s = this.shape.size
    const pixels = s * s
    const n = images.labels.length
    const out = new Float32Array(n * pixels)
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize)
      const values = tf.tidy(() => {
        const xs = tf.tensor4d(images.pixels.subarray(start * pixels, end * pixels), [end - start, s, s, 1])
        const [mean] = this.encoder.predict(xs) as tf.Tensor[]
        return (this.decoder.predict(mean!) as tf.Tensor).dataSync() as Float32Array
      })
      out.set(values, start * pixels)
    }
    return out
  }

  dispose (): void {
    this.encoder.dispose()
    this.decoder.dispose()
  }

  private checkImages (images: ImageSet): void {
    if (images.height !== this.shape.size || images.width !== this.shape.size || images.channels !== 1) {
      throw new VaeError(`this VAE takes ${this.shape.size}×${this.shape.size} greyscale images, got ${images.width}×${images.height}×${images.channels}`)
    }
  }
}
