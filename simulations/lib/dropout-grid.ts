/**
 * The dropout sweep's grid: blocks of (n, graph) with the stages, dropout levels and seeds
 * each runs. Complete graphs cost O(n²) key agreements and Shamir evaluations, so the large
 * ones get fewer levels and seeds by default; --full runs everything everywhere.
 */
import { STAGES } from '../../src/protocol/index.ts'
import type { Stage } from '../../src/protocol/index.ts'
import type { StudySize } from './args.ts'
import type { GraphKind } from './measure.ts'

export interface DropoutBlock {
  readonly n: number
  readonly graph: GraphKind
  readonly stages: readonly Stage[]
  /** Fractions of all n peers dropping at the stage; 0 is run once and shared by every stage. */
  readonly levels: readonly number[]
  readonly seeds: number
}

export interface DropoutGrid {
  readonly dim: number
  readonly blocks: readonly DropoutBlock[]
}

const ALL_LEVELS = [0, 0.1, 0.2, 0.3, 0.4, 0.5]
const FEW_LEVELS = [0, 0.1, 0.3, 0.5]

export function dropoutGrid (size: StudySize): DropoutGrid {
  if (size === 'smoke') {
    return { dim: 10, blocks: (['complete', 'secagg+'] as const).map((graph) => ({ n: 10, graph, stages: ['share', 'masked'], levels: [0, 0.3], seeds: 2 })) }
  }
  if (size === 'full') {
    const seeds: Record<number, number> = { 10: 10, 50: 5, 200: 3, 1000: 1 }
    return { dim: 100, blocks: [10, 50, 200, 1000].flatMap((n) => (['complete', 'secagg+'] as const).map((graph) => ({ n, graph, stages: STAGES, levels: ALL_LEVELS, seeds: seeds[n]! }))) }
  }
  return {
    dim: 100,
    blocks: [
      { n: 10, graph: 'complete', stages: STAGES, levels: ALL_LEVELS, seeds: 5 },
      { n: 10, graph: 'secagg+', stages: STAGES, levels: ALL_LEVELS, seeds: 5 },
      { n: 50, graph: 'complete', stages: STAGES, levels: ALL_LEVELS, seeds: 3 },
      { n: 50, graph: 'secagg+', stages: STAGES, levels: ALL_LEVELS, seeds: 3 },
      // ~20 s a round on 2 loaded cores: four levels, one seed.
      { n: 200, graph: 'complete', stages: STAGES, levels: FEW_LEVELS, seeds: 1 },
      { n: 200, graph: 'secagg+', stages: STAGES, levels: ALL_LEVELS, seeds: 1 },
      // ~30 s a round: every stage and level, one seed.
      { n: 1000, graph: 'secagg+', stages: STAGES, levels: ALL_LEVELS, seeds: 1 },
      // The complete graph at n = 1,000 is Bonawitz et al.'s setting: ~10 min a round on one
      // core (O(n²) key agreements and shares), so only dropout between sharing and masking,
      // the stage that makes the aggregator recompute the dropped members' pairwise masks.
      { n: 1000, graph: 'complete', stages: ['masked'], levels: FEW_LEVELS, seeds: 1 }
    ]
  }
}

/** The rounds of a block: the 0 % level once per seed (stage null), the others per stage. */
export function blockCells (block: DropoutBlock): Array<{ stage: Stage | null, level: number }> {
  const cells: Array<{ stage: Stage | null, level: number }> = []
  if (block.levels.includes(0)) cells.push({ stage: null, level: 0 })
  for (const stage of block.stages) for (const level of block.levels) if (level > 0) cells.push({ stage, level })
  return cells
}
