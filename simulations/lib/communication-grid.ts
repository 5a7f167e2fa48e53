/**
 * The communication study's grid: (graph, vector length M, n) points. At M = 10^6 every
 * member's input (8 MB as doubles) and masked vector (4 MB) are in this one process, and each
 * member expands one 4 MB mask per neighbour, so the default keeps M = 10^6 to n ≤ 100;
 * --full goes to n = 1,000 (15 min here; the process grew to 13 GB, most of it at the
 * complete graph's n = 200, M = 10^6 point).
 */
import type { StudySize } from './args.ts'
import type { GraphKind } from './measure.ts'

export interface CommunicationSeries { readonly graph: GraphKind, readonly dim: number, readonly peers: readonly number[] }

const ALL_N = [10, 20, 50, 100, 200, 500, 1000]

export function communicationGrid (size: StudySize): CommunicationSeries[] {
  if (size === 'smoke') {
    return [{ graph: 'secagg+', dim: 1000, peers: [10, 20] }, { graph: 'complete', dim: 1000, peers: [10] }]
  }
  if (size === 'full') {
    return [
      ...[10_000, 100_000, 1_000_000].map((dim) => ({ graph: 'secagg+' as const, dim, peers: ALL_N })),
      ...[10_000, 1_000_000].map((dim) => ({ graph: 'complete' as const, dim, peers: [10, 20, 50, 100, 200] }))
    ]
  }
  return [
    { graph: 'secagg+', dim: 10_000, peers: ALL_N },
    { graph: 'secagg+', dim: 100_000, peers: [10, 50, 200] },
    { graph: 'secagg+', dim: 1_000_000, peers: [10, 20, 50, 100] },
    { graph: 'complete', dim: 10_000, peers: [10, 20, 50, 100] },
    { graph: 'complete', dim: 1_000_000, peers: [10, 50] }
  ]
}
