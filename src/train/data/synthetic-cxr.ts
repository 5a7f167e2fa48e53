/**
 * A seeded generator of chest-X-ray-like images for demos and tests (no medical data set can
 * be shipped): a bright body silhouette and mediastinum, two dark lung fields crossed by
 * brighter rib arcs, detector noise and per-image exposure, position and size jitter. Class
 * `opacity` adds one to three soft bright blobs inside the lung fields (as consolidation
 * looks on a radiograph), of varying size and faintness so the task is learnable but not
 * trivial. Same seed, same images.
 */
import { seededRandom } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'
import { DatasetError } from './image-set.ts'
import type { ImageSet } from './image-set.ts'

/** Uniform floats in [0, 1) drawn from a seeded byte stream in 64 KiB chunks. */
class Uniform {
  private buffer: Uint32Array = new Uint32Array(0)
  private at = 0
  constructor (private readonly rng: RandomSource) {}
  next (): number {
    if (this.at === this.buffer.length) {
      const bytes = this.rng(65_536)
      this.buffer = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      this.at = 0
    }
    return this.buffer[this.at++]! / 4_294_967_296
  }
  range (lo: number, hi: number): number { return lo + (hi - lo) * this.next() }
  /** Standard normal (Box–Muller). */
  normal (): number { return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next()) }
}

export interface SyntheticOptions {
  readonly count: number
  readonly size?: number
  readonly seed?: string
  /** Fraction of images with opacities (default 0.5). */
  readonly positiveFraction?: number
}

export function generateSyntheticCxr (options: SyntheticOptions): ImageSet {
  const size = options.size ?? 32
  const count = options.count
  if (!Number.isInteger(count) || count < 1) throw new DatasetError(`synthetic data set: count must be a positive integer, got ${count}`)
  if (!Number.isInteger(size) || size < 16 || size > 512) throw new DatasetError(`synthetic data set: size must be an integer in [16, 512], got ${size}`)
  const u = new Uniform(seededRandom(`synthetic-cxr/${options.seed ?? '1'}`))
  const positive = options.positiveFraction ?? 0.5
  const pixels = new Float32Array(count * size * size)
  const labels = new Int32Array(count)
  for (let n = 0; n < count; n++) {
    const label = u.next() < positive ? 1 : 0
    labels[n] = label
    const img = pixels.subarray(n * size * size, (n + 1) * size * size)
    const cx = 0.5 + u.range(-0.04, 0.04)
    const cy = 0.52 + u.range(-0.04, 0.04)
    const scale = u.range(0.9, 1.08)
    const exposure = u.range(0.85, 1.15)
    const lungs = [-1, 1].map((side) => ({ x: cx + side * 0.19 * scale, y: cy - 0.02, rx: 0.14 * scale * u.range(0.92, 1.08), ry: 0.3 * scale * u.range(0.92, 1.08) }))
    const blobs = label === 1
      ? Array.from({ length: 1 + Math.floor(u.next() * 3) }, () => {
        const lung = lungs[u.next() < 0.5 ? 0 : 1]!
        const a = u.range(0, 2 * Math.PI)
        const r = Math.sqrt(u.next()) * 0.7
        return { x: lung.x + Math.cos(a) * r * lung.rx, y: lung.y + Math.sin(a) * r * lung.ry, s: u.range(0.035, 0.09), k: u.range(0.18, 0.45) }
      })
      : []
    const ribPhase = u.range(0, Math.PI)
    for (let i = 0; i < size; i++) {
      const y = (i + 0.5) / size
      for (let j = 0; j < size; j++) {
        const x = (j + 0.5) / size
        // Body: a soft-edged ellipse of tissue.
        const bx = (x - cx) / (0.42 * scale)
        const by = (y - cy) / (0.48 * scale)
        const body = 1 / (1 + Math.exp(12 * (bx * bx + by * by - 1)))
        let v = 0.08 + 0.55 * body
        // Lung fields: darker (air), with brighter rib arcs across them.
        for (const l of lungs) {
          const lx = (x - l.x) / l.rx
          const ly = (y - l.y) / l.ry
          const inside = 1 / (1 + Math.exp(10 * (lx * lx + ly * ly - 1)))
          const ribs = 0.5 + 0.5 * Math.cos(2 * Math.PI * (y * 7 + 0.8 * lx * lx) + ribPhase)
          v -= inside * (0.38 - 0.1 * ribs)
        }
        // Mediastinum and spine: a bright vertical band.
        v += 0.2 * Math.exp(-(((x - cx) / 0.06) ** 2)) * body
        for (const b of blobs) v += b.k * Math.exp(-(((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s)))
        v = v * exposure + 0.03 * u.normal()
        img[i * size + j] = Math.min(1, Math.max(0, v))
      }
    }
  }
  return { height: size, width: size, channels: 1, classes: ['normal', 'opacity'], pixels, labels }
}
