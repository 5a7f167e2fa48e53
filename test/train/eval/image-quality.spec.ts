/** SSIM and PSNR: closed forms, a second code path straight from the definition, typed errors. */
import assert from 'node:assert/strict'
import { ImageQualityError, meanQuality, psnr, ssim, ssimWindow } from '../../../src/train/eval/image-quality.ts'
import type { GreyPlane } from '../../../src/train/eval/image-quality.ts'
import { seededRandom } from '../../../src/crypto/index.ts'

function plane (width: number, height: number, f: (x: number, y: number) => number): GreyPlane {
  const values = new Float32Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = f(x, y)
  return { width, height, values }
}

function noise (width: number, height: number, seed: string): GreyPlane {
  const bytes = seededRandom(seed)(width * height)
  return plane(width, height, (x, y) => bytes[y * width + x]! / 255)
}

/** SSIM straight from the definition (Wang et al. 2004, eq. 13 with 2-D Gaussian weights per window), no separable filtering: a second code path to check the fast one against. */
function ssimByDefinition (a: GreyPlane, b: GreyPlane): number {
  const s = ssimWindow(a.width, a.height)
  const half = (s - 1) / 2
  const w: number[] = []
  let total = 0
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) { const v = Math.exp(-(((i - half) ** 2) + ((j - half) ** 2)) / (2 * 1.5 * 1.5)); w.push(v); total += v }
  const c1 = 0.01 ** 2
  const c2 = 0.03 ** 2
  let sum = 0
  let count = 0
  for (let y0 = 0; y0 + s <= a.height; y0++) {
    for (let x0 = 0; x0 + s <= a.width; x0++) {
      let mx = 0; let my = 0
      for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) { const k = w[i * s + j]! / total; mx += k * a.values[(y0 + i) * a.width + x0 + j]!; my += k * b.values[(y0 + i) * a.width + x0 + j]! }
      let vx = 0; let vy = 0; let cv = 0
      for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) {
        const k = w[i * s + j]! / total
        const dx = a.values[(y0 + i) * a.width + x0 + j]! - mx
        const dy = b.values[(y0 + i) * a.width + x0 + j]! - my
        vx += k * dx * dx; vy += k * dy * dy; cv += k * dx * dy
      }
      sum += ((2 * mx * my + c1) * (2 * cv + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
      count++
    }
  }
  return sum / count
}

describe('image quality (SSIM, PSNR)', () => {
  it('gives 1 and infinite PSNR for an image against itself', () => {
    const a = noise(32, 32, 'a')
    assert.ok(Math.abs(ssim(a, a) - 1) < 1e-12)
    assert.equal(psnr(a, a), Infinity)
  })

  it('matches the closed form for two flat images: (2ab + C1) / (a² + b² + C1)', () => {
    const a = plane(20, 20, () => 0.3)
    const b = plane(20, 20, () => 0.7)
    const c1 = 0.01 ** 2
    assert.ok(Math.abs(ssim(a, b) - (2 * 0.3 * 0.7 + c1) / (0.09 + 0.49 + c1)) < 1e-6)
  })

  it('agrees with a direct per-window evaluation of the definition', () => {
    for (const [w, h] of [[28, 28], [16, 24], [9, 9]] as const) {
      const a = noise(w, h, `x${w}`)
      const b = plane(w, h, (x, y) => 0.6 * a.values[y * w + x]! + 0.4 * ((x + y) % 5) / 4)
      assert.ok(Math.abs(ssim(a, b) - ssimByDefinition(a, b)) < 1e-6, `${w}×${h}`)
    }
  })

  it('is symmetric, near 0 for independent noise, and negative for an inverted image', () => {
    const a = noise(32, 32, 'p')
    const b = noise(32, 32, 'q')
    assert.ok(Math.abs(ssim(a, b) - ssim(b, a)) < 1e-12)
    assert.ok(Math.abs(ssim(a, b)) < 0.1)
    const inverted = plane(32, 32, (x, y) => 1 - a.values[y * 32 + x]!)
    assert.ok(ssim(a, inverted) < -0.9)
  })

  it('computes PSNR from the mean squared error for range 1', () => {
    const a = plane(10, 10, () => 0.5)
    const b = plane(10, 10, () => 0.6)
    assert.ok(Math.abs(psnr(a, b) - 20) < 1e-5) // float32 pixels: 0.6 − 0.5 is not exactly 0.1 // MSE 0.01 → 10·log10(1/0.01)
  })

  it('averages over image arrays and caps an exact copy at 100 dB', () => {
    const a = noise(8, 8, 'm').values as Float32Array
    const both = new Float32Array([...a, ...a])
    const other = new Float32Array([...a, ...new Float32Array(64).fill(0.5)])
    const q = meanQuality(both, other, 8, 8)
    assert.equal(q.count, 2)
    assert.ok(q.psnr > 50 && q.psnr <= 100)
    assert.ok(q.ssim < 1)
  })

  it('refuses images of different sizes with a typed error', () => {
    assert.throws(() => ssim(noise(8, 8, 'a'), noise(9, 8, 'b')), (e: Error) => e instanceof ImageQualityError && e.name === 'ImageQualityError' && /differ in size/.test(e.message))
    assert.throws(() => meanQuality(new Float32Array(64), new Float32Array(65), 8, 8), ImageQualityError)
  })
})
