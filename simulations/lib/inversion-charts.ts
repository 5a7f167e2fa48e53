/** The gradient-inversion study's chart: mean SSIM per case and data set, with the same-class reference line. */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import type { InversionResults } from '../inversion.ts'

export function inversionCharts (r: InversionResults): Record<string, ChartSpec> {
  const order = [...new Set(r.cases.map((c) => c.label))]
  return {
    ssim: {
      title: { text: 'Gradient inversion on the MLP: SSIM of the target\'s images recovered from each view', anchor: 'start' },
      data: { values: r.cases.map((c) => ({ dataset: c.dataset, case: c.label, ssim: c.ssim })) },
      facet: { column: { field: 'dataset', type: 'nominal', title: null, header: { labelFontSize: 13 } } },
      spec: {
        width: 260,
        height: 18 * order.length,
        layer: [
          { mark: { type: 'bar' }, encoding: { y: { field: 'case', type: 'nominal', sort: order, title: null }, x: { field: 'ssim', type: 'quantitative', title: 'mean SSIM (1 = identical)', scale: { domain: [-0.2, 1] } } } },
          { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y: { field: 'case', type: 'nominal', sort: order }, x: { field: 'ssim', type: 'quantitative' }, text: { field: 'ssim', type: 'quantitative', format: '.2f' } } }
        ]
      }
    } as ChartSpec
  }
}
