/** One case's PNG: the target's true images over the reconstructions matched to them, with each pair's SSIM and PSNR. */
import { writeImageGrid } from '../../src/node/charts/image-grid.ts'
import { planeAt } from '../../src/train/eval/image-quality.ts'
import type { MatchScore } from './inversion-score.ts'

export interface CaseImages {
  readonly title: string
  readonly truth: Float32Array
  readonly reconstruction: Float32Array
  readonly score: MatchScore
  readonly width: number
  readonly height: number
}

export async function writeCaseGrid (path: string, c: CaseImages): Promise<string> {
  const { width, height } = c
  return await writeImageGrid(path, {
    title: c.title,
    tileSize: 100,
    // Short enough to fit over a 100-pixel tile: SSIM, then PSNR.
    columns: c.score.pairs.map((p) => `${p.ssim.toFixed(2)} · ${p.psnr.toFixed(1)} dB`),
    rows: [
      { label: 'true', tiles: c.score.pairs.map((p) => planeAt(c.truth, p.truth, width, height)) },
      { label: 'reconstructed', tiles: c.score.pairs.map((p) => planeAt(c.reconstruction, p.reconstruction, width, height)) }
    ]
  })
}
