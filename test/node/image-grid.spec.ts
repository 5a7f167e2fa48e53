/** Labelled PNG grids of greyscale tiles (the studies' original-vs-attack figures). */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { imageGridSvg, writeImageGrid } from '../../src/node/charts/image-grid.ts'

describe('image grid', () => {
  const tile = (v: number) => ({ width: 4, height: 4, values: new Float32Array(16).fill(v) })

  it('writes a PNG with a header per column and a label per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'grid-'))
    try {
      const grid = { title: 'originals & reconstructions', columns: ['true', 'attack'], rows: [{ label: 'a <1>', tiles: [tile(0), tile(1)] }, { label: 'b', tiles: [tile(0.5), tile(Number.NaN)] }], tileSize: 40 }
      const svg = await imageGridSvg(grid)
      assert.ok(svg.includes('originals &amp; reconstructions') && svg.includes('a &lt;1&gt;'))
      assert.equal(svg.match(/<image /g)?.length, 4)
      const path = await writeImageGrid(join(dir, 'g.png'), grid)
      const meta = await sharp(path).metadata()
      assert.equal(meta.format, 'png')
      assert.ok(meta.width > 2 * 40)
      assert.ok(meta.height > 2 * 40)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a tile whose values do not fill it', async () => {
    const err = await imageGridSvg({ columns: ['x'], rows: [{ label: 'r', tiles: [{ width: 3, height: 3, values: new Float32Array(8) }] }] }).then(() => null, (e: Error) => e)
    assert.equal(err?.name, 'ChartError')
    assert.match(err?.message ?? '', /holds 8 values/)
  })
})
