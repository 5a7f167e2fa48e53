/**
 * The scaling study's grid: n per transport and graph, and the 0 % vs 10 % dropout
 * comparison at n = 500 that Bonawitz et al. (CCS'17) report for the complete graph.
 */
import type { StudySize } from './args.ts'
import type { GraphKind } from './measure.ts'

export interface ScalingGrid {
  readonly dim: number
  readonly memory: Readonly<Record<GraphKind, readonly number[]>>
  readonly libp2p: Readonly<Record<GraphKind, readonly number[]>>
  /** The dropout comparison: n, vector length, seeds per graph. */
  readonly comparison: { readonly n: number, readonly dim: number, readonly dropout: number, readonly seeds: Readonly<Record<GraphKind, number>> }
}

export function scalingGrid (size: StudySize): ScalingGrid {
  if (size === 'smoke') {
    return {
      dim: 10,
      memory: { complete: [10, 20, 40], 'secagg+': [10, 20, 40] },
      libp2p: { complete: [5, 8], 'secagg+': [] },
      comparison: { n: 20, dim: 100, dropout: 0.1, seeds: { complete: 1, 'secagg+': 1 } }
    }
  }
  const sparse = [10, 20, 50, 100, 200, 500, 1000]
  return {
    dim: 100,
    // The complete graph's round costs O(n²): ~20 s at n = 200 and ~10 min at n = 1000 on 2 cores.
    memory: { complete: size === 'full' ? sparse : [10, 20, 50, 100, 200], 'secagg+': sparse },
    libp2p: { complete: [5, 10, 20, 30], 'secagg+': [10, 20, 30] },
    // Bonawitz et al. measured 100,000 entries; 10,000 by default keeps the complete graph's
    // n = 500 rounds (500 × 499 mask expansions) to minutes.
    comparison: { n: 500, dim: size === 'full' ? 100_000 : 10_000, dropout: 0.1, seeds: size === 'full' ? { complete: 3, 'secagg+': 3 } : { complete: 1, 'secagg+': 3 } }
  }
}
