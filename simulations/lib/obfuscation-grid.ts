/**
 * The study's picture: per held-out image, original | obfuscated | the reconstruction of the
 * attacker that knows the algorithm only | has pairs made with another key | with the same key.
 */
import { writeImageGrid } from '../../src/node/charts/image-grid.ts'
import type { GridTile } from '../../src/node/charts/image-grid.ts'
import type { DatasetSamples } from './obfuscation-measure.ts'

export const GRID_COLUMNS = ['original', 'obfuscated', 'algorithm only', 'other key', 'same key'] as const

export async function writeObfuscationGrid (path: string, samples: readonly DatasetSamples[]): Promise<string> {
  const rows = samples.flatMap((s) => {
    const pixels = s.size * s.size
    const count = s.original.length / pixels
    const tile = (values: Float32Array, i: number): GridTile => ({ width: s.size, height: s.size, values: values.subarray(i * pixels, (i + 1) * pixels) })
    return Array.from({ length: count }, (_, i) => ({
      label: `${s.dataset} #${i + 1}`,
      tiles: [s.original, s.obfuscated, s.attacks.algorithm, s.attacks['other-key'], s.attacks['same-key']].map((v) => tile(v, i))
    }))
  })
  return await writeImageGrid(path, { title: 'Obfuscated held-out images and three attacks', columns: GRID_COLUMNS, rows, tileSize: 96 })
}
