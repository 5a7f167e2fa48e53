/**
 * A labelled grid of greyscale images as PNG (rows × columns, a header over each column and a
 * label before each row): how the inversion and obfuscation studies show originals next to
 * what an attacker recovers. Tiles are upscaled with nearest-neighbour so single pixels stay
 * visible, embedded in an SVG with the labels, and rasterised with the charts' fonts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import sharp from 'sharp'
import { CHART_FONT, ChartError, svgToPng } from './render-chart.ts'

export interface GridTile {
  readonly width: number
  readonly height: number
  /** width · height values in [0, 1], row-major (values outside are clamped for display). */
  readonly values: ArrayLike<number>
}

export interface ImageGrid {
  readonly title?: string
  readonly columns: readonly string[]
  readonly rows: ReadonlyArray<{ readonly label: string, readonly tiles: readonly GridTile[] }>
  /** Side of a tile in the image, in pixels (default 84). */
  readonly tileSize?: number
}

function escapeXml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

async function tilePng (tile: GridTile, side: number): Promise<string> {
  if (tile.values.length !== tile.width * tile.height) throw new ChartError(`grid tile holds ${tile.values.length} values, not ${tile.width}×${tile.height}`)
  const bytes = new Uint8Array(tile.values.length)
  for (let i = 0; i < bytes.length; i++) {
    const v = tile.values[i]!
    bytes[i] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0
  }
  const png = await sharp(bytes, { raw: { width: tile.width, height: tile.height, channels: 1 } })
    .resize(side, side, { kernel: 'nearest', fit: 'fill' }).png().toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}

/** The grid as SVG text (tiles embedded as PNG data URIs). */
export async function imageGridSvg (grid: ImageGrid): Promise<string> {
  const side = grid.tileSize ?? 84
  const gap = 6
  const labelWidth = Math.max(60, ...grid.rows.map((r) => r.label.length * 7.2)) + 12
  const titleHeight = grid.title === undefined ? 0 : 26
  const headerHeight = 22
  const columns = Math.max(grid.columns.length, ...grid.rows.map((r) => r.tiles.length))
  // A grid of one or two columns is narrower than its title: widen it so the title is not cut off (≈ 8 px a bold character).
  const titleWidth = grid.title === undefined ? 0 : grid.title.length * 8 + 2 * gap
  const width = Math.max(labelWidth + columns * (side + gap) + gap, titleWidth)
  const height = titleHeight + headerHeight + grid.rows.length * (side + gap) + gap
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`]
  if (grid.title !== undefined) parts.push(`<text x="${gap}" y="18" font-size="14" font-weight="bold">${escapeXml(grid.title)}</text>`)
  grid.columns.forEach((name, c) => {
    const x = labelWidth + c * (side + gap) + side / 2
    parts.push(`<text x="${x}" y="${titleHeight + 15}" font-size="11" text-anchor="middle">${escapeXml(name)}</text>`)
  })
  for (const [r, row] of grid.rows.entries()) {
    const y = titleHeight + headerHeight + r * (side + gap)
    parts.push(`<text x="${labelWidth - 8}" y="${y + side / 2 + 4}" font-size="11" text-anchor="end">${escapeXml(row.label)}</text>`)
    for (const [c, tile] of row.tiles.entries()) {
      const x = labelWidth + c * (side + gap)
      parts.push(`<image x="${x}" y="${y}" width="${side}" height="${side}" href="${await tilePng(tile, side)}"/>`)
    }
  }
  parts.push('</svg>')
  return parts.join('\n')
}

/** Writes the grid as PNG to `path`. */
export async function writeImageGrid (path: string, grid: ImageGrid): Promise<string> {
  const png = svgToPng(await imageGridSvg(grid), 1)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, png)
  return path
}
