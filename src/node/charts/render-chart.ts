/**
 * Charts for reports and the simulations/ studies: a Vega-Lite spec compiled and rendered
 * to SVG by Vega itself (no browser, no canvas), then to PNG by resvg. Every text uses the
 * DejaVu Sans font shipped in the npm package dejavu-fonts-ttf, so the SVG's text metrics
 * and the PNG's glyphs are the same on every machine, with or without system fonts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import * as vega from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'

export type ChartSpec = TopLevelSpec

export class ChartError extends Error {
  static override name = 'ChartError'
  override name = 'ChartError'
}

const FONT = 'DejaVu Sans'

function fontFiles (): string[] {
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(dir, f))
}

/** The spec with the shared look: one font everywhere, white background, readable sizes. */
function styled (spec: ChartSpec): ChartSpec {
  const config = (spec as { config?: Record<string, unknown> }).config ?? {}
  return {
    ...spec,
    background: 'white',
    config: { font: FONT, ...config, axis: { labelFontSize: 11, titleFontSize: 12, ...(config.axis as object | undefined) }, title: { fontSize: 14, ...(config.title as object | undefined) } }
  } as ChartSpec
}

/** Renders `spec` to SVG text and PNG bytes (`scale`: PNG pixels per SVG unit, default 2). */
export async function renderChart (spec: ChartSpec, options: { scale?: number } = {}): Promise<{ svg: string, png: Uint8Array }> {
  let svg: string
  try {
    const view = new vega.View(vega.parse(compile(styled(spec)).spec), { renderer: 'none' })
    svg = await view.toSVG()
    view.finalize()
  } catch (err) {
    throw new ChartError(`cannot render the chart: ${(err as Error).message}`)
  }
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT },
    background: 'white'
  }).render().asPng()
  return { svg, png }
}

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
