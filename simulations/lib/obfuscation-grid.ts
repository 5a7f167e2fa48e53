/** The study's picture: per held-out image, original | obfuscated | each attack's reconstruction. */
import { writeImageGrid } from '../../src/node/charts/image-grid.ts'
import type { GridTile } from '../../src/node/charts/image-grid.ts'
import type { DatasetSamples } from './obfuscation-measure.ts'

export const GRID_COLUMNS = ['original', 'obfuscated', 'attack: algorithm only', 'attack: other key', 'attack: same key'] as const

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
  return await writeImageGrid(path, { title: 'Held-out images: original, obfuscated (VAE + intensity map), attacker reconstructions', columns: GRID_COLUMNS, rows, tileSize: 96 })
}
