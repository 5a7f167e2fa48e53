/** The chart renderer: a real Vega-Lite line chart to SVG and PNG, with its text as glyphs. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderChart, writeChart } from '../../src/node/charts/render-chart.ts'
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'

const spec: ChartSpec = {
  title: 'round time against peers',
  data: { values: [{ peers: 10, ms: 20 }, { peers: 100, ms: 250 }, { peers: 1000, ms: 4000 }] },
  mark: { type: 'line', point: true },
  encoding: { x: { field: 'peers', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'ms', type: 'quantitative', title: 'aggregator ms' } }
}

describe('charts: Vega-Lite to SVG and PNG', () => {
  it('renders the title, axis titles and one line path; the PNG is a real image of it', async () => {
    const { svg, png } = await renderChart(spec)
    assert.match(svg, /^<svg /)
    for (const text of ['round time against peers', 'aggregator ms', 'peers']) assert.ok(svg.includes(text), `the SVG holds '${text}'`)
    assert.match(svg, /font-family="DejaVu Sans"/)
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature')
    const width = new DataView(png.buffer, png.byteOffset).getUint32(16)
    const svgWidth = Number(/width="(\d+)"/.exec(svg)![1])
    assert.equal(width, 2 * svgWidth, 'rendered at twice the SVG size')
  })

  it('lays text out with DejaVu Sans\'s own widths, not Vega\'s canvas-less guess of 0.8 em per character', async () => {
    const title = 'a title long enough that its width decides the width of the chart'
    const { svg } = await renderChart({ ...spec, title, width: 50 } as ChartSpec)
    const width = Number(/width="(\d+)"/.exec(svg)![1])
    const guess = 0.8 * 14 * title.length // Vega's estimate for the 14 px title
    assert.ok(width < 0.8 * guess, `the chart is ${width} px wide; with Vega's guess it would be at least ${guess} px`)
    assert.ok(width > 0.4 * guess, `the chart is ${width} px wide: too narrow for the title`)
  })

  it('writeChart writes FILE.svg and FILE.png side by side; a bad spec is a ChartError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secagg-chart-'))
    try {
      const files = await writeChart(join(dir, 'sub', 'c.svg'), spec)
      assert.equal(readFileSync(files.svg, 'utf8').slice(0, 4), '<svg')
      assert.ok(readFileSync(files.png).length > 1000)
      await assert.rejects(renderChart({ mark: 'nonsense' } as unknown as ChartSpec), (e: Error) => e.name === 'ChartError')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
