/**
 * Label recovery as in iDLG (Zhao, Mopuri, Bilen, "iDLG: Improved Deep Leakage from
 * Gradients", 2020): with softmax cross-entropy the gradient of the last layer's bias is
 * p − y for one image, negative exactly at the true class (p < 1 there, every other entry
 * p ≥ 0). For a batch the entries are sums over the images and the sign no longer names each
 * label; the study assumes batch labels known instead.
 */
import { mlpParameterCount } from './mlp-gradient.ts'
import type { MlpLayout } from './mlp-gradient.ts'

/** The class whose last-layer bias gradient is most negative, read from a flat MLP gradient. */
export function labelFromBiasGradient (layout: MlpLayout, gradient: Float32Array): number {
  const end = mlpParameterCount(layout)
  if (gradient.length !== end) throw new RangeError(`gradient has ${gradient.length} values, the MLP ${end}`)
  const bias = gradient.subarray(end - layout.classes, end)
  let label = 0
  for (let c = 1; c < bias.length; c++) if (bias[c]! < bias[label]!) label = c
  return label
}
