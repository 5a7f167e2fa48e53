/**
 * An in-memory labelled image set: N images of H × W × C floats in [0, 1] (NHWC, row-major),
 * integer labels and class names. Every loader (MNIST, synthetic, image folders) produces one;
 * partitioning and training consume it.
 */
export interface ImageSet {
  readonly height: number
  readonly width: number
  readonly channels: number
  readonly classes: readonly string[]
  /** N·H·W·C values in [0, 1]. */
  readonly pixels: Float32Array
  readonly labels: Int32Array
}

import { seededRandom, shuffled } from '../../crypto/index.ts'

/** 0..n−1 in an order drawn from `seed` (splits, partitions, epochs: reproducible runs). */
export function seededOrder (n: number, seed: string): number[] {
  return shuffled(seededRandom(seed), Array.from({ length: n }, (_, i) => i))
}

export class DatasetError extends Error {
  static override name = 'DatasetError'
  override name = 'DatasetError'
}

export function imageCount (set: ImageSet): number {
  return set.labels.length
}

/** The images at `indices`, in that order. */
export function subset (set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = set.height * set.width * set.channels
  const pixels = new Float32Array(indices.length * size)
  const labels = new Int32Array(indices.length)
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!
    pixels.set(set.pixels.subarray(k * size, (k + 1) * size), i * size)
    labels[i] = set.labels[k]!
  }
  return { ...set, pixels, labels }
}

export function classCounts (set: ImageSet): number[] {
  const counts = new Array<number>(set.classes.length).fill(0)
  for (const l of set.labels) counts[l]!++
  return counts
}
