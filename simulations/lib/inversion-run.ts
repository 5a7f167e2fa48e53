/**
 * One data set of the gradient-inversion study: the project's MLP at its seeded initial
 * weights, members holding disjoint seeded draws of images, and for each case the attacker's
 * view built by the real code (inversion-views.ts), attacked (src/train/eval), scored against
 * the target member's images and drawn.
 */
import { join } from 'node:path'
import { seededRandom } from '../../src/crypto/index.ts'
import { loadMnist } from '../../src/train/data/mnist.ts'
import { generateSyntheticCxr } from '../../src/train/data/synthetic-cxr.ts'
import { seededOrder } from '../../src/train/data/image-set.ts'
import type { ImageSet } from '../../src/train/data/image-set.ts'
import { invertGradient } from '../../src/train/eval/gradient-inversion.ts'
import { meanQuality } from '../../src/train/eval/image-quality.ts'
import { labelFromBiasGradient } from '../../src/train/eval/label-recovery.ts'
import { mlpGradient, mlpLayoutOf } from '../../src/train/eval/mlp-gradient.ts'
import type { MlpLayout } from '../../src/train/eval/mlp-gradient.ts'
import { buildModel, initialWeights } from '../../src/train/model.ts'
import { writeCaseGrid } from './inversion-grid.ts'
import { caseLabel } from './inversion-plan.ts'
import type { InversionCase, InversionDataset, InversionPlan } from './inversion-plan.ts'
import { bestMatches } from './inversion-score.ts'
import type { ImagePair } from './inversion-score.ts'
import { dpSum, fedSgdUpdate, maskedInputOf, secureSum, targetPeer } from './inversion-views.ts'

export interface CaseResult {
  dataset: InversionDataset
  id: string
  label: string
  view: InversionCase['view']
  members: number
  batch: number
  /** Images the attacker reconstructs: the target's batch for a member's view, every member's for a sum. */
  dummies: number
  ssim: number
  psnr: number
  pairs: ImagePair[]
  /** 1 − cos between the reconstruction's gradient and the observed one (0 = matched). */
  gradientDistance: number
  restartLosses: number[]
  /** Single-image member views: the target's true label and iDLG's reading of the view's last bias. */
  idlg?: { trueLabel: number, recovered: number }
  /** L2 norms of the target's own update and of what the attacker saw. */
  targetUpdateNorm: number
  viewNorm: number
  /** sum cases: false when the protocol would refuse the sum (n < 3) and it was computed as the ring sum. */
  fromProtocol?: boolean
  dp?: { clip: number, noiseMultiplier: number, threshold: number, noiseStddevOnSum: number, clippedMembers: number }
  grid: string
  wallMs: number
}

export interface DatasetBaseline {
  dataset: InversionDataset
  /** Each of the first images of the seeded order against the next image of its class: what "a different image of the same class" scores. */
  sameClassSsim: number
  sameClassPsnr: number
  pairs: number
}

interface Prepared {
  readonly set: ImageSet
  readonly layout: MlpLayout
  readonly weights: Float32Array
  readonly order: readonly number[]
}

const SYNTHETIC_COUNT = 512

export function prepareDataset (dataset: InversionDataset, plan: InversionPlan): Prepared {
  const set = dataset === 'mnist' ? loadMnist() : generateSyntheticCxr({ count: SYNTHETIC_COUNT, size: plan.syntheticSize, seed: plan.seed })
  const model = buildModel('mlp', set, set.classes.length)
  try {
    return { set, layout: mlpLayoutOf(model), weights: initialWeights(model, plan.seed), order: seededOrder(set.labels.length, `inversion/${dataset}/${plan.seed}`) }
  } finally {
    model.dispose()
  }
}

/** The images at positions [from, from + count) of the seeded order. */
function draw (p: Prepared, from: number, count: number): { images: Float32Array, labels: Int32Array } {
  const size = p.set.width * p.set.height
  const images = new Float32Array(count * size)
  const labels = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const j = p.order[from + i]!
    images.set(p.set.pixels.subarray(j * size, (j + 1) * size), i * size)
    labels[i] = p.set.labels[j]!
  }
  return { images, labels }
}

function norm (v: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!
  return Math.sqrt(s)
}

/** What the attacker holds in case `c`, with the target member's images and every image's label. */
function buildView (p: Prepared, plan: InversionPlan, c: InversionCase): { view: Float32Array, truth: Float32Array, labels: Int32Array, targetUpdate: Float32Array, extra: Partial<CaseResult> } {
  const seed = `inversion/${c.id}/${plan.seed}`
  const target = c.members === 1 ? 0 : targetPeer(c.members, seed)
  // The target's batch is always the first images of the order, so every case attacks the same images.
  const batches = Array.from({ length: c.members }, (_, i) => draw(p, (i === target ? 0 : (i < target ? i + 1 : i)) * c.batch, c.batch))
  const updates = batches.map((b) => fedSgdUpdate(mlpGradient(p.layout, p.weights, b.images, b.labels), plan.learningRate))
  const labels = Int32Array.from(batches.flatMap((b) => [...b.labels]))
  const base = { truth: batches[target]!.images, targetUpdate: updates[target]! }
  const weights = batches.map((b) => b.labels.length)
  switch (c.view) {
    case 'plain': return { ...base, view: updates[target]!, labels: batches[target]!.labels, extra: {} }
    case 'masked': return { ...base, view: maskedInputOf(updates, weights, target, seed), labels: batches[target]!.labels, extra: {} }
    case 'sum': {
      const { sum, fromProtocol } = secureSum(updates, weights, seed)
      return { ...base, view: sum, labels, extra: { fromProtocol } }
    }
    case 'dp-sum': {
      const r = dpSum(updates, plan.privacy, seed)
      const dp = { clip: plan.privacy.clip, noiseMultiplier: plan.privacy.noiseMultiplier, threshold: r.threshold, noiseStddevOnSum: r.noiseStddev, clippedMembers: r.clippedMembers }
      return { ...base, view: r.sum, labels, extra: { dp } }
    }
  }
}

export async function runCase (p: Prepared, dataset: InversionDataset, plan: InversionPlan, c: InversionCase, outDir: string, signal?: AbortSignal): Promise<CaseResult> {
  const started = performance.now()
  const { view, truth, labels, targetUpdate, extra } = buildView(p, plan, c)
  // The attacker knows the step is −lr·∇ (and a sum is Σ w·(−lr·∇)): the gradient direction is −view.
  const observedGradient = Float32Array.from(view, (v) => -v)
  const { width, height } = p.set
  const result = await invertGradient({ layout: p.layout, weights: p.weights, observedGradient, labels, height, width }, plan.attack, seededRandom(`inversion/${dataset}/${c.id}/${plan.seed}/attack`), signal)
  const score = bestMatches(truth, result.images, width, height)
  const grid = `${dataset}-${c.id}.png`
  await writeCaseGrid(join(outDir, grid), { title: `${dataset}: ${caseLabel(c)} — true vs reconstructed (SSIM · PSNR)`, truth, reconstruction: result.images, score, width, height })
  const idlg = c.batch === 1 && (c.view === 'plain' || c.view === 'masked')
    ? { trueLabel: labels[0]!, recovered: labelFromBiasGradient(p.layout, observedGradient) }
    : undefined
  return {
    dataset, id: c.id, label: caseLabel(c), view: c.view, members: c.members, batch: c.batch, dummies: labels.length,
    ssim: score.ssim, psnr: score.psnr, pairs: [...score.pairs], gradientDistance: result.gradientDistance, restartLosses: [...result.restartLosses],
    ...(idlg !== undefined ? { idlg } : {}), targetUpdateNorm: norm(targetUpdate), viewNorm: norm(view), ...extra,
    grid, wallMs: Math.round(performance.now() - started)
  }
}

/** SSIM/PSNR of a different image of the same class: the score a reconstruction gets for looking like the class, not like the patient. */
export function sameClassBaseline (p: Prepared, dataset: InversionDataset, pairs = 16): DatasetBaseline {
  const { width, height } = p.set
  const size = width * height
  const a = new Float32Array(pairs * size)
  const b = new Float32Array(pairs * size)
  for (let i = 0; i < pairs; i++) {
    const j = p.order[i]!
    const k = p.order.slice(i + 1).find((o) => p.set.labels[o] === p.set.labels[j])!
    a.set(p.set.pixels.subarray(j * size, (j + 1) * size), i * size)
    b.set(p.set.pixels.subarray(k * size, (k + 1) * size), i * size)
  }
  const q = meanQuality(a, b, width, height)
  return { dataset, sameClassSsim: q.ssim, sameClassPsnr: q.psnr, pairs }
}
