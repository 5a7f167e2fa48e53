/**
 * Image similarity between an original and a reconstruction or obfuscated copy: PSNR and
 * SSIM, the two measures the obfuscation and gradient-inversion literature reports
 * (Popescu et al., Applied Sciences 12(8), 2022; Geiping et al., NeurIPS 2020).
 *
 * SSIM follows Wang, Bovik, Sheikh and Simoncelli, "Image quality assessment: from error
 * visibility to structural similarity", IEEE TIP 13(4), 2004: an 11 × 11 circular Gaussian
 * window with σ = 1.5, K1 = 0.01, K2 = 0.03, the dynamic range L = 1 (every image here is in
 * [0, 1]), local statistics over the window positions that fit inside the image ("valid",
 * as in the authors' reference code), and the mean of the SSIM map. Images smaller than the
 * window use a window the size of the smaller side (odd), so 7 × 7 or 28 × 28 images still
 * get a local measure rather than an error.
 */

export class ImageQualityError extends Error {
  static override name = 'ImageQualityError'
  override name = 'ImageQualityError'
}

export interface GreyPlane {
  readonly width: number
  readonly height: number
  /** width · height values, row-major, in [0, 1]. */
  readonly values: ArrayLike<number>
}

const K1 = 0.01
const K2 = 0.03
const RANGE = 1

function checkPair (a: GreyPlane, b: GreyPlane): void {
  if (a.width !== b.width || a.height !== b.height) throw new ImageQualityError(`images differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`)
  if (a.values.length !== a.width * a.height || b.values.length !== b.width * b.height) throw new ImageQualityError('image value count does not match width × height')
  if (a.width < 1 || a.height < 1) throw new ImageQualityError('empty image')
}

/** Peak signal-to-noise ratio in dB for values in [0, 1]; Infinity for identical images. */
export function psnr (a: GreyPlane, b: GreyPlane): number {
  checkPair(a, b)
  let sum = 0
  for (let i = 0; i < a.values.length; i++) {
    const d = a.values[i]! - b.values[i]!
    sum += d * d
  }
  const mse = sum / a.values.length
  return mse === 0 ? Infinity : 10 * Math.log10((RANGE * RANGE) / mse)
}

/** Normalised 1-D Gaussian taps of odd length `size` (the 2-D window is their outer product). */
function gaussianTaps (size: number, sigma: number): Float64Array {
  const taps = new Float64Array(size)
  const half = (size - 1) / 2
  let total = 0
  for (let i = 0; i < size; i++) {
    taps[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma))
    total += taps[i]!
  }
  for (let i = 0; i < size; i++) taps[i]! /= total
  return taps
}

/** Window side for an image: 11, or the largest odd number that fits. */
export function ssimWindow (width: number, height: number): number {
  const fit = Math.min(11, width, height)
  return fit % 2 === 1 ? fit : fit - 1
}

/** Separable "valid" filtering of a plane with the window: (H − s + 1) × (W − s + 1) values. */
function filterValid (values: Float64Array, width: number, height: number, taps: Float64Array): Float64Array {
  const s = taps.length
  const ow = width - s + 1
  const oh = height - s + 1
  const rows = new Float64Array(height * ow)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0
      for (let k = 0; k < s; k++) acc += taps[k]! * values[y * width + x + k]!
      rows[y * ow + x] = acc
    }
  }
  const out = new Float64Array(oh * ow)
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0
      for (let k = 0; k < s; k++) acc += taps[k]! * rows[(y + k) * ow + x]!
      out[y * ow + x] = acc
    }
  }
  return out
}

/** Mean structural similarity of two grey images in [0, 1] (1 = identical). */
export function ssim (a: GreyPlane, b: GreyPlane): number {
  checkPair(a, b)
  const { width, height } = a
  const taps = gaussianTaps(ssimWindow(width, height), 1.5)
  const n = width * height
  const x = Float64Array.from(a.values)
  const y = Float64Array.from(b.values)
  const xx = new Float64Array(n)
  const yy = new Float64Array(n)
  const xy = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!
    yy[i] = y[i]! * y[i]!
    xy[i] = x[i]! * y[i]!
  }
  const mx = filterValid(x, width, height, taps)
  const my = filterValid(y, width, height, taps)
  const sxx = filterValid(xx, width, height, taps)
  const syy = filterValid(yy, width, height, taps)
  const sxy = filterValid(xy, width, height, taps)
  const c1 = (K1 * RANGE) ** 2
  const c2 = (K2 * RANGE) ** 2
  let total = 0
  for (let i = 0; i < mx.length; i++) {
    const mux = mx[i]!
    const muy = my[i]!
    const varX = sxx[i]! - mux * mux
    const varY = syy[i]! - muy * muy
    const cov = sxy[i]! - mux * muy
    total += ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (varX + varY + c2))
  }
  return total / mx.length
}

/** Image `index` of an NHW(C = 1) pixel array as a plane (a view, not a copy). */
export function planeAt (pixels: Float32Array, index: number, width: number, height: number): GreyPlane {
  const size = width * height
  if ((index + 1) * size > pixels.length) throw new ImageQualityError(`image ${index} is past the end of the array`)
  return { width, height, values: pixels.subarray(index * size, (index + 1) * size) }
}

export interface QualitySummary {
  readonly ssim: number
  readonly psnr: number
  readonly count: number
}

/**
 * Mean SSIM and mean PSNR over image pairs (PSNR of an exact copy is capped at 100 dB so one
 * exact reconstruction does not make the mean infinite; the cap is far above any real result).
 */
export function meanQuality (originals: Float32Array, others: Float32Array, width: number, height: number): QualitySummary {
  if (originals.length !== others.length) throw new ImageQualityError(`image arrays differ in length: ${originals.length} vs ${others.length}`)
  const count = originals.length / (width * height)
  if (!Number.isInteger(count) || count < 1) throw new ImageQualityError('image arrays do not hold a whole number of images')
  let s = 0
  let p = 0
  for (let i = 0; i < count; i++) {
    const a = planeAt(originals, i, width, height)
    const b = planeAt(others, i, width, height)
    s += ssim(a, b)
    p += Math.min(100, psnr(a, b))
  }
  return { ssim: s / count, psnr: p / count, count }
}
