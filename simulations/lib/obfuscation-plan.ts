/** How big each run of the obfuscation study is: images, epochs, attacker keys per size. */
import type { StudySize } from './args.ts'

export type ObfuscationDatasetName = 'synthetic' | 'mnist'

export interface ObfuscationPlan {
  readonly datasets: readonly ObfuscationDatasetName[]
  /** Images used per data set: 60% the victim's training images, 20% held out, 20% the attacker's own. */
  readonly images: number
  readonly vaeEpochs: number
  readonly classifierEpochs: number
  readonly attackerEpochs: number
  /** Keys the algorithm-only attacker draws for its own training pairs. */
  readonly attackerKeys: number
}

export function obfuscationPlan (size: StudySize): ObfuscationPlan {
  if (size === 'smoke') return { datasets: ['synthetic'], images: 300, vaeEpochs: 2, classifierEpochs: 4, attackerEpochs: 1, attackerKeys: 1 }
  if (size === 'full') return { datasets: ['synthetic', 'mnist'], images: 5_000, vaeEpochs: 30, classifierEpochs: 15, attackerEpochs: 20, attackerKeys: 4 }
  return { datasets: ['synthetic', 'mnist'], images: 1_500, vaeEpochs: 8, classifierEpochs: 8, attackerEpochs: 6, attackerKeys: 2 }
}
