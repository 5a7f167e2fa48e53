/** summary.md of the gradient-inversion study: the settings, one table per data set, the grids. */
import type { InversionResults } from '../inversion.ts'
import { formatNumber, markdownTable } from './markdown.ts'

function idlgText (c: InversionResults['cases'][number]): string {
  if (c.idlg === undefined) return '—'
  return c.idlg.recovered === c.idlg.trueLabel ? `${c.idlg.recovered} (right)` : `${c.idlg.recovered} (true ${c.idlg.trueLabel})`
}

export function inversionSummary (r: InversionResults): string {
  const a = r.attack
  const lines = [
    '# Gradient inversion',
    '',
    `Attack: cosine distance between the dummy and the observed gradient + ${a.tvWeight} × total variation, Adam on the pixels (step ${a.learningRate}, ×0.1 at 3/8, 5/8, 7/8), ` +
    `pixels projected to [0, 1], ${a.iterations} iterations, best of ${a.restarts} restart(s) by final loss (Geiping et al. 2020). Labels known to the attacker; iDLG's bias-sign label is reported for single-image member views. ` +
    `Model: ${r.model}. Update: FedSGD, −${r.learningRate}·∇. DP: L2 clip ${r.privacy.clip}, σ = ${r.privacy.noiseMultiplier}. ` +
    `Each true image of the target member is scored against its best-matching reconstruction (SSIM, Wang et al. 2004; PSNR in dB). ` +
    `Grid ${r.size}; ${formatNumber(r.elapsedMs / 1000)} s on ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}, tfjs ${r.backend} backend, seed ${r.seed}.`,
    ''
  ]
  for (const dataset of [...new Set(r.cases.map((c) => c.dataset))]) {
    const base = r.baselines.find((b) => b.dataset === dataset)
    lines.push(`## ${dataset}`, '')
    lines.push(markdownTable(['case', 'images reconstructed', 'SSIM', 'PSNR dB', '1 − cos', 'iDLG label', 'grid'],
      r.cases.filter((c) => c.dataset === dataset).map((c) => [c.label + (c.fromProtocol === false ? ' ¹' : ''), c.dummies, c.ssim, c.psnr, c.gradientDistance, idlgText(c), `[png](${c.grid})`])))
    if (base !== undefined) lines.push('', `Reference: a different image of the same class scores SSIM ${formatNumber(base.sameClassSsim)}, PSNR ${formatNumber(base.sameClassPsnr)} dB (mean of ${base.pairs} pairs).`)
    lines.push('')
    for (const c of r.cases.filter((x) => x.dataset === dataset)) lines.push(`![${dataset}: ${c.label}](${c.grid})`, '')
  }
  if (r.cases.some((c) => c.fromProtocol === false)) lines.push('¹ The protocol never unmasks a sum of fewer than 3 inputs; this sum is the ring sum of the quantized inputs, what such a round would reveal.', '')
  lines.push('![SSIM per case](ssim.png)', '')
  return lines.join('\n')
}
