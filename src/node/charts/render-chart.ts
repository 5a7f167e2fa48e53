/**
 * Charts for reports and the simulations/ studies: a Vega-Lite spec compiled and rendered
 * to SVG by Vega itself (no browser, no canvas), then to PNG by resvg. Every text uses the
 * DejaVu Sans font shipped in the npm package dejavu-fonts-ttf, so the PNG's glyphs are the
 * same on every machine, with or without system fonts — and Vega lays the text out with that
 * font's own advance widths (without a canvas it guesses 0.8 em per character, about half
 * again too wide for DejaVu Sans, which padded titles and legends with empty space).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import opentype from 'opentype.js'
import type { Font } from 'opentype.js'
import * as vega from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'

export type ChartSpec = TopLevelSpec

export class ChartError extends Error {
  static override name = 'ChartError'
  override name = 'ChartError'
}

const FONT = 'DejaVu Sans'

function fontFile (name: string): string {
  return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf', name)
}

function fontFiles (): string[] {
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map(fontFile)
}

/** Advance widths (in em) of the regular and bold faces, per character, read once. */
let faces: { regular: (c: string) => number, bold: (c: string) => number } | undefined

function face (font: Font): (c: string) => number {
  const cache = new Map<string, number>()
  return (c) => {
    let w = cache.get(c)
    if (w === undefined) {
      w = (font.charToGlyph(c).advanceWidth ?? font.unitsPerEm / 2) / font.unitsPerEm
      cache.set(c, w)
    }
    return w
  }
}

function loadFaces (): NonNullable<typeof faces> {
  const parse = (name: string): Font => {
    const bytes = readFileSync(fontFile(name))
    return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  }
  return { regular: face(parse('DejaVuSans.ttf')), bold: face(parse('DejaVuSans-Bold.ttf')) }
}

interface TextItem { readonly text?: unknown, readonly fontSize?: number, readonly fontWeight?: string | number }

/** Vega's text width hook: the width of `text` (or the item's text; the widest line) in DejaVu Sans. */
function textWidth (item: TextItem, text?: unknown): number {
  faces ??= loadFaces()
  const value = text ?? item.text
  const lines = Array.isArray(value) ? value.map(String) : [String(value ?? '')]
  const weight = item.fontWeight
  const widthOf = weight === 'bold' || (typeof weight === 'number' && weight >= 600) ? faces.bold : faces.regular
  const size = item.fontSize ?? 11
  return Math.max(...lines.map((line) => [...line].reduce((w, c) => w + widthOf(c), 0) * size))
}

/** The spec with the shared look: one font everywhere, white background, readable sizes. */
function styled (spec: ChartSpec): ChartSpec {
  const config = (spec as { config?: Record<string, unknown> }).config ?? {}
  return {
    ...spec,
    background: 'white',
    padding: (spec as { padding?: unknown }).padding ?? 10,
    // labelSeparation: with true widths, neighbouring tick labels may otherwise touch ("4050").
    config: { font: FONT, ...config, axis: { labelFontSize: 11, titleFontSize: 12, labelSeparation: 4, ...(config.axis as object | undefined) }, title: { fontSize: 14, ...(config.title as object | undefined) } }
  } as ChartSpec
}

/** Renders `spec` to SVG text and PNG bytes (`scale`: PNG pixels per SVG unit, default 2). */
export async function renderChart (spec: ChartSpec, options: { scale?: number } = {}): Promise<{ svg: string, png: Uint8Array }> {
  let svg: string
  // Vega's documented hook for a text measure of one's own (vl-convert sets it the same way);
  // its type declarations do not list it.
  ;(vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth
  try {
    const view = new vega.View(vega.parse(compile(styled(spec)).spec), { renderer: 'none' })
    svg = await view.toSVG()
    view.finalize()
  } catch (err) {
    throw new ChartError(`cannot render the chart: ${(err as Error).message}`)
  }
  return { svg, png: svgToPng(svg, options.scale ?? 2) }
}

/** Rasterises SVG text with the bundled DejaVu fonts (no system fonts: same pixels everywhere). */
export function svgToPng (svg: string, scale = 2): Uint8Array {
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT },
    background: 'white'
  }).render().asPng()
}

/** The font family every chart and image grid is drawn with. */
export const CHART_FONT = FONT

/**
 * Writes `path` (.svg) and the same chart as PNG next to it (same name, .png); returns both
 * paths. A path ending in .png writes the PNG there and the SVG next to it.
 */
export async function writeChart (path: string, spec: ChartSpec): Promise<{ svg: string, png: string }> {
  const base = path.replace(/\.(svg|png)$/i, '')
  const files = { svg: `${base}.svg`, png: `${base}.png` }
  const { svg, png } = await renderChart(spec)
  mkdirSync(dirname(files.svg), { recursive: true })
  writeFileSync(files.svg, svg)
  writeFileSync(files.png, png)
  return files
}
