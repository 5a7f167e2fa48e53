/**
 * How well a reconstruction recovered the target member's images: each true image is paired
 * with the reconstruction most similar to it (SSIM, Wang et al. 2004), the attacker's best
 * case — a reconstructed batch comes in no particular order, and from a sum it also holds
 * the other members' images, which are not what the attacker is after.
 */
import { planeAt, psnr, ssim } from '../../src/train/eval/image-quality.ts'

export interface ImagePair {
  /** Index of the true image in the target's batch, and of the reconstruction matched to it. */
  readonly truth: number
  readonly reconstruction: number
  readonly ssim: number
  readonly psnr: number
}

export interface MatchScore {
  readonly pairs: readonly ImagePair[]
  readonly ssim: number
  readonly psnr: number
}

/** PSNR of an exact copy is infinite; capped as meanQuality caps it, so means stay finite. */
const PSNR_CAP = 100

/** Pairs every image of `truth` with its best-SSIM image of `candidates` (reuse allowed). */
export function bestMatches (truth: Float32Array, candidates: Float32Array, width: number, height: number): MatchScore {
  const size = width * height
  const pairs: ImagePair[] = []
  for (let t = 0; t < truth.length / size; t++) {
    const a = planeAt(truth, t, width, height)
    let best: ImagePair | undefined
    for (let c = 0; c < candidates.length / size; c++) {
      const b = planeAt(candidates, c, width, height)
      const s = ssim(a, b)
      if (best === undefined || s > best.ssim) best = { truth: t, reconstruction: c, ssim: s, psnr: Math.min(PSNR_CAP, psnr(a, b)) }
    }
    pairs.push(best!)
  }
  return { pairs, ssim: mean(pairs.map((p) => p.ssim)), psnr: mean(pairs.map((p) => p.psnr)) }
}

function mean (values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}
