/** summary.md of the obfuscation study: the paper's table, measured here. */
import { markdownTable } from './markdown.ts'
import type { ObfuscationResults } from './obfuscation-study.ts'

export function obfuscationSummary (r: ObfuscationResults): string {
  const utility = markdownTable(
    ['data set', 'images (train / held out / attacker)', 'accuracy, originals', 'accuracy, VAE alone', 'accuracy, obfuscated', 'AUC, originals', 'AUC, VAE alone', 'AUC, obfuscated'],
    r.datasets.map((d) => [d.dataset, `${d.images.victimTrain} / ${d.images.heldOut} / ${d.images.attacker}`, d.original.accuracy, d.vaeOnly.accuracy, d.obfuscated.accuracy, d.original.auc, d.vaeOnly.auc, d.obfuscated.auc])
  )
  const security = markdownTable(
    ['data set', 'compared with the original', 'SSIM', 'PSNR (dB)'],
    r.datasets.flatMap((d) => [
      [d.dataset, 'VAE re-rendering alone (no map)', d.vaeOnlyVsOriginal.ssim, d.vaeOnlyVsOriginal.psnr],
      [d.dataset, 'obfuscated', d.obfuscatedVsOriginal.ssim, d.obfuscatedVsOriginal.psnr],
      [d.dataset, 'attack: knows the algorithm only', d.attacks.algorithm.ssim, d.attacks.algorithm.psnr],
      [d.dataset, 'attack: pairs made with another key', d.attacks['other-key'].ssim, d.attacks['other-key'].psnr],
      [d.dataset, 'attack: pairs made with the same key (not in the paper)', d.attacks['same-key'].ssim, d.attacks['same-key'].psnr],
      [d.dataset, 'baseline: the attacker\'s mean image, for every image', d.meanImageGuess.ssim, d.meanImageGuess.psnr]
    ])
  )
  return [
    '# Image obfuscation (Popescu et al. 2022), measured',
    '',
    `Run: \`npm run sim:obfuscation${r.size === 'default' ? '' : ` -- --${r.size}`}\`, ${(r.elapsedMs / 1000).toFixed(0)} s on ${r.machine.cpus} × ${r.machine.cpuModel} (${r.backend} backend).`,
    `VAE ${r.plan.vaeEpochs} epochs; classifier (the project's CNN) ${r.plan.classifierEpochs} epochs; attacker ${r.plan.attackerEpochs} epochs, ${r.plan.attackerKeys} own key(s) when it knows only the algorithm.`,
    '',
    '## Utility: the classifier trained and tested on originals, on the VAE\'s re-rendering alone, and on obfuscated images',
    '',
    utility,
    '',
    '## Security: similarity to the held-out originals (SSIM 1 and high PSNR = recognisable)',
    '',
    security,
    '',
    `Distinct output levels of the victim's map: ${r.datasets.map((d) => `${d.dataset} ${d.distinctLevels}`).join(', ')} (of 256 input levels).`,
    '',
    '![original, obfuscated and reconstructed held-out images](grid.png)',
    ''
  ].join('\n')
}
