/**
 * Utility as Popescu et al. (Applied Sciences 12(8), 2022) measure it: the project's CNN
 * classifier (src/train/model.ts) trained on one set of images and tested on held-out images
 * of the same kind — originals against originals, obfuscated against obfuscated with the
 * same key — so the difference is what obfuscation costs the task.
 */
import type { ImageSet } from '../../src/train/data/image-set.ts'
import { evaluateWeights, trainLocal } from '../../src/train/local-train.ts'
import { buildModel, initialWeights } from '../../src/train/model.ts'

export interface Utility { accuracy: number, auc: number | null }

export async function classifierUtility (train: ImageSet, test: ImageSet, o: { epochs: number, seed: string }): Promise<Utility> {
  const model = buildModel('cnn', { height: train.height, width: train.width, channels: 1 }, train.classes.length)
  try {
    const start = initialWeights(model, o.seed)
    const { update } = await trainLocal(model, start, train, { epochs: o.epochs, batchSize: 32, learningRate: 2e-3, seed: o.seed })
    const trained = start.map((w, i) => w + update[i]!)
    const m = evaluateWeights(model, trained, test)
    return { accuracy: m.accuracy, auc: m.auc }
  } finally {
    model.dispose()
  }
}
