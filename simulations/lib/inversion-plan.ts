/**
 * The gradient-inversion study's grid: data sets, the attacker's views (cases) and the
 * attack's settings, per size. The default covers every case once on both data sets in
 * minutes; --full runs the attack longer with more restarts; --smoke is the seconds-long
 * pair of cases the test runs (plain update against masked input).
 */
import type { StudySize } from './args.ts'
import type { InversionSettings } from '../../src/train/eval/gradient-inversion.ts'

export type InversionDataset = 'mnist' | 'synthetic'

/** plain: one member's FedSGD update; masked: its masked input; sum: the unmasked sum; dp-sum: the sum with DP noise. */
export type ViewKind = 'plain' | 'masked' | 'sum' | 'dp-sum'

export interface InversionCase {
  readonly id: string
  readonly view: ViewKind
  /** Members whose updates are in the view (1 for a plain update). */
  readonly members: number
  /** Images per member (the target's batch and every other member's). */
  readonly batch: number
}

export interface InversionPlan {
  readonly datasets: readonly InversionDataset[]
  readonly cases: readonly InversionCase[]
  readonly attack: InversionSettings
  /** FedSGD step size: update = −lr·∇ (0.1 makes an update at the initial model about as long as the DP clip). */
  readonly learningRate: number
  /** DP as the docs recommend: L2 clip C = 1, σ = 1 (PRIVACY.md). */
  readonly privacy: { readonly clip: number, readonly noiseMultiplier: number, readonly delta: number, readonly epsilonBudget: number }
  /** Synthetic chest X-rays: side in pixels and how many are generated to draw members from. */
  readonly syntheticSize: number
  readonly seed: string
}

function oneCase (view: ViewKind, members: number, batch: number): InversionCase {
  return { id: `${view}-n${members}-b${batch}`, view, members, batch }
}

const PRIVACY = { clip: 1, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 100 }

export function inversionPlan (size: StudySize): InversionPlan {
  const common = { learningRate: 0.1, privacy: PRIVACY, syntheticSize: 32, seed: '1' }
  if (size === 'smoke') {
    return { ...common, datasets: ['mnist'], cases: [oneCase('plain', 1, 1), oneCase('masked', 4, 1)], attack: { iterations: 120, learningRate: 0.1, tvWeight: 0.01, restarts: 1 } }
  }
  const cases = [
    oneCase('plain', 1, 1), oneCase('plain', 1, 4), oneCase('masked', 4, 1),
    ...[2, 4, 8].map((n) => oneCase('sum', n, 1)), ...[2, 4, 8].map((n) => oneCase('sum', n, 4)),
    oneCase('dp-sum', 4, 1)
  ]
  const attack = size === 'full'
    ? { iterations: 2000, learningRate: 0.1, tvWeight: 0.01, restarts: 4 }
    : { iterations: 500, learningRate: 0.1, tvWeight: 0.01, restarts: 1 }
  return { ...common, datasets: ['mnist', 'synthetic'], cases, attack }
}

/** A case as people read it. */
export function caseLabel (c: InversionCase): string {
  const images = `${c.batch} image${c.batch === 1 ? '' : 's'}${c.members > 1 ? ' each' : ''}`
  switch (c.view) {
    case 'plain': return `(a) plain update, ${images}`
    case 'masked': return `(b) masked input (n = ${c.members}), ${images}`
    case 'sum': return `(c) sum of n = ${c.members}, ${images}`
    case 'dp-sum': return `(d) DP sum of n = ${c.members}, ${images}`
  }
}
