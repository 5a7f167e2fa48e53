/**
 * A gradient-inversion attack on the project's MLP: from an observed weight gradient (or
 * anything an attacker takes for one — a masked input, a sum of updates), optimise dummy
 * images until their gradient points the same way.
 *
 * The objective is that of Geiping, Bauermeister, Dröge and Moeller, "Inverting Gradients —
 * How easy is it to break privacy in federated learning?" (NeurIPS 2020): one minus the cosine
 * similarity between the dummy gradient and the observed one (scale-free, so the attacker
 * needs neither the learning rate nor the weight the update was summed with), plus α times
 * the total variation of the dummy images (their image prior), minimised with Adam on the
 * pixels, projected back into [0, 1] after each step, the step size cut tenfold at 3/8, 5/8
 * and 7/8 of the iterations (their schedule), best of several random restarts by final loss.
 * Deep Leakage from Gradients (Zhu, Liu, Han, NeurIPS 2019) is the same idea with an L2
 * gradient distance and L-BFGS. Labels are given by the caller: known to the attacker, or
 * recovered from the last bias gradient as in iDLG (label-recovery.ts).
 */
import type { RandomSource } from '../../crypto/index.ts'
import { tf } from '../backend.ts'
import { mlpGradientTensors, mlpParameterCount, mlpTensors, oneHotLabels } from './mlp-gradient.ts'
import type { MlpLayout } from './mlp-gradient.ts'

export class InversionError extends Error {
  static override name = 'InversionError'
  override name = 'InversionError'
}

export interface InversionSettings {
  readonly iterations: number
  /** Adam step size on the pixels (before the schedule's cuts). */
  readonly learningRate: number
  /** α, the weight of the total-variation prior. */
  readonly tvWeight: number
  readonly restarts: number
}

export interface InversionTarget {
  readonly layout: MlpLayout
  /** The model's flat weights when the gradient was taken. */
  readonly weights: Float32Array
  /** What the attacker takes for ∇_θ L (any positive multiple: the loss is scale-free). */
  readonly observedGradient: Float32Array
  /** One label per dummy image: how many images the attacker reconstructs. */
  readonly labels: Int32Array
  readonly height: number
  readonly width: number
}

export interface InversionResult {
  /** labels.length images of height · width values in [0, 1], row-major. */
  readonly images: Float32Array
  /** The objective (1 − cos + α·TV) of the restart kept. */
  readonly loss: number
  /** 1 − cos alone for the restart kept (0: the gradients point the same way). */
  readonly gradientDistance: number
  readonly restartLosses: readonly number[]
}

/** Anisotropic total variation, mean absolute difference of neighbouring pixels (Geiping et al.'s prior). */
export function totalVariation (images: tf.Tensor, height: number, width: number): tf.Scalar {
  return tf.tidy(() => {
    const x = images.reshape([-1, height, width])
    const dy = tf.sub(x.slice([0, 1, 0], [-1, height - 1, width]), x.slice([0, 0, 0], [-1, height - 1, width]))
    const dx = tf.sub(x.slice([0, 0, 1], [-1, height, width - 1]), x.slice([0, 0, 0], [-1, height, width - 1]))
    return tf.add(tf.mean(tf.abs(dy)), tf.mean(tf.abs(dx))) as tf.Scalar
  })
}

/** 1 − cos(a, b) over lists of tensors taken as one long vector each. */
function cosineDistance (a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  let dot: tf.Tensor = tf.scalar(0)
  let na: tf.Tensor = tf.scalar(0)
  let nb: tf.Tensor = tf.scalar(0)
  a.forEach((g, i) => {
    dot = tf.add(dot, tf.sum(tf.mul(g, b[i]!)))
    na = tf.add(na, tf.sum(tf.square(g)))
    nb = tf.add(nb, tf.sum(tf.square(b[i]!)))
  })
  return tf.sub(1, tf.div(dot, tf.sqrt(tf.mul(na, nb)).add(1e-12))) as tf.Scalar
}

/** Uniform pixels in [0, 1) from the injected source (the dummy images' start). */
function uniformPixels (rng: RandomSource, count: number): Float32Array {
  const bytes = rng(4 * count)
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, count)
  return Float32Array.from(words, (w) => w / 4_294_967_296)
}

/** Geiping et al.'s MultiStepLR: ×0.1 at 3/8, 5/8 and 7/8 of the run. */
function scheduledRate (base: number, iteration: number, total: number): number {
  const cuts = [3 / 8, 5 / 8, 7 / 8].filter((f) => iteration >= Math.floor(f * total)).length
  return base * 0.1 ** cuts
}

function checkTarget (t: InversionTarget, s: InversionSettings): void {
  const dim = mlpParameterCount(t.layout)
  if (t.weights.length !== dim || t.observedGradient.length !== dim) throw new InversionError(`weights (${t.weights.length}) and observed gradient (${t.observedGradient.length}) must both have the MLP's ${dim} values`)
  if (t.height * t.width !== t.layout.inputs) throw new InversionError(`${t.height}×${t.width} images do not match the MLP's ${t.layout.inputs} inputs`)
  if (t.labels.length < 1) throw new InversionError('at least one dummy image (label) is needed')
  if (!t.observedGradient.every(Number.isFinite)) throw new InversionError('the observed gradient has non-finite values')
  if (!(s.iterations >= 1 && s.restarts >= 1 && s.learningRate > 0 && s.tvWeight >= 0)) throw new InversionError(`bad settings ${JSON.stringify(s)}`)
}

/** Lets an abort (or anything else) in between iterations without slowing them down much. */
const YIELD_EVERY = 25

/** One restart: Adam on the dummy pixels from a uniform start; returns the final images and losses. */
async function runRestart (t: InversionTarget, s: InversionSettings, start: Float32Array, signal?: AbortSignal): Promise<{ images: Float32Array, loss: number, gradientDistance: number }> {
  const n = t.labels.length
  const observed = mlpTensors(t.layout, t.observedGradient)
  const weights = mlpTensors(t.layout, t.weights)
  const oneHot = oneHotLabels(t.labels, t.layout.classes)
  let x: tf.Tensor = tf.tensor2d(start, [n, t.layout.inputs])
  let m = tf.zerosLike(x)
  let v = tf.zerosLike(x)
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8]
  const objective = (dummy: tf.Tensor): tf.Scalar => tf.add(cosineDistance(mlpGradientTensors(weights, dummy, oneHot), observed), tf.mul(s.tvWeight, totalVariation(dummy, t.height, t.width))) as tf.Scalar
  try {
    for (let i = 0; i < s.iterations; i++) {
      signal?.throwIfAborted()
      const rate = scheduledRate(s.learningRate, i, s.iterations)
      const next = tf.tidy(() => {
        const g = tf.grad(objective)(x)
        const m2 = tf.add(tf.mul(beta1, m), tf.mul(1 - beta1, g))
        const v2 = tf.add(tf.mul(beta2, v), tf.mul(1 - beta2, tf.square(g)))
        const mHat = tf.div(m2, 1 - beta1 ** (i + 1))
        const vHat = tf.div(v2, 1 - beta2 ** (i + 1))
        const x2 = tf.clipByValue(tf.sub(x, tf.mul(rate, tf.div(mHat, tf.add(tf.sqrt(vHat), eps)))), 0, 1)
        return [x2, m2, v2]
      })
      tf.dispose([x, m, v])
      ;[x, m, v] = next as [tf.Tensor, tf.Tensor, tf.Tensor]
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const [loss, distance] = tf.tidy(() => {
      const d = cosineDistance(mlpGradientTensors(weights, x, oneHot), observed)
      return [tf.add(d, tf.mul(s.tvWeight, totalVariation(x, t.height, t.width))).dataSync()[0]!, d.dataSync()[0]!]
    })
    return { images: Float32Array.from(x.dataSync() as Float32Array), loss, gradientDistance: distance }
  } finally {
    tf.dispose([x, m, v, oneHot, ...observed, ...weights])
  }
}

/** Reconstructs `labels.length` images whose gradient matches the observed one (best restart kept). */
export async function invertGradient (target: InversionTarget, settings: InversionSettings, rng: RandomSource, signal?: AbortSignal): Promise<InversionResult> {
  checkTarget(target, settings)
  let best: { images: Float32Array, loss: number, gradientDistance: number } | undefined
  const restartLosses: number[] = []
  for (let r = 0; r < settings.restarts; r++) {
    const run = await runRestart(target, settings, uniformPixels(rng, target.labels.length * target.layout.inputs), signal)
    restartLosses.push(run.loss)
    if (best === undefined || run.loss < best.loss) best = run
  }
  return { images: best!.images, loss: best!.loss, gradientDistance: best!.gradientDistance, restartLosses }
}
