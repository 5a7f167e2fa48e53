/** The gradient-inversion study's chart: mean SSIM per case and data set, with the same-class reference line. */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import type { InversionResults } from '../inversion.ts'

export function inversionCharts (r: InversionResults): Record<string, ChartSpec> {
  const order = [...new Set(r.cases.map((c) => c.label))]
  const y = { field: 'case', type: 'nominal', sort: order, title: null, axis: { labelLimit: 400 } }
  return {
    ssim: {
      title: {
        text: 'Gradient inversion on the MLP: SSIM of the target\'s images recovered from each view',
        subtitle: 'Dashed: a different true image of the same class (what looking like the class, not the patient, scores).',
        anchor: 'start'
      },
      data: { values: r.cases.map((c) => ({ dataset: c.dataset, case: c.label, ssim: c.ssim, reference: r.baselines.find((b) => b.dataset === c.dataset)?.sameClassSsim ?? null })) },
      facet: { column: { field: 'dataset', type: 'nominal', title: null, header: { labelFontSize: 13 } } },
      spec: {
        width: 260,
        height: 18 * order.length,
        layer: [
          { mark: { type: 'bar' }, encoding: { y, x: { field: 'ssim', type: 'quantitative', title: 'mean SSIM (1 = identical)', scale: { domain: [-0.2, 1] } } } },
          { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { y, x: { field: 'ssim', type: 'quantitative' }, text: { field: 'ssim', type: 'quantitative', format: '.2f' } } },
          { mark: { type: 'rule', strokeDash: [5, 3], color: '#c0392b', strokeWidth: 1.5 }, encoding: { x: { aggregate: 'mean', field: 'reference', type: 'quantitative' } } }
        ]
      }
    } as ChartSpec
  }
}
