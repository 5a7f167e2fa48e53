/**
 * What `npm run sim:accuracy` runs: for each data set, every combination of partition (IID
 * or Dirichlet label skew) and dropout (none, or members dropped at the masked stage each
 * round), one secure-aggregation run and one plain-FedAvg run on the same seed — so the only
 * difference between the two curves of a pair is how the updates were summed.
 */
import { parseDropoutSpec } from '../../src/sim/dropout-schedule.ts'
import type { DropoutSpec } from '../../src/sim/dropout-schedule.ts'
import type { DatasetSpec } from '../../src/train/data/load.ts'
import { parsePartition } from '../../src/train/data/partition.ts'
import type { PartitionSpec } from '../../src/train/data/partition.ts'
import type { ModelKind } from '../../src/train/model.ts'

export const STUDY_SIZES = ['smoke', 'default', 'full'] as const
export type StudySize = typeof STUDY_SIZES[number]

export interface StudyDataset {
  /** Short name used in file names and tables. */
  readonly id: string
  /** What a reader sees in titles: the data set and how much of it. */
  readonly label: string
  readonly spec: DatasetSpec
  readonly model: ModelKind
  readonly peers: number
  readonly rounds: number
}

export interface StudyPlan {
  readonly size: StudySize
  readonly seed: string
  readonly datasets: readonly StudyDataset[]
  /** `iid` or `dirichlet:ALPHA`, as `secagg simulate --task train --partition` takes them. */
  readonly partitions: readonly string[]
  /** `none` or a `--dropout` spec. */
  readonly dropouts: readonly string[]
}

export interface StudyCell {
  /** `mnist-iid-none`, `synthetic-dirichlet0.5-masked1`: unique, file-name safe. */
  readonly id: string
  readonly dataset: StudyDataset
  /** `iid` or `dirichlet:ALPHA`. */
  readonly partition: string
  readonly partitionSpec: PartitionSpec
  /** `none` or a `--dropout` spec. */
  readonly dropout: string
  readonly dropoutSpec: DropoutSpec
}

const MNIST = (peers: number, rounds: number): StudyDataset => ({
  id: 'mnist', label: 'MNIST (10,000 real digits)', spec: { kind: 'mnist' }, model: 'cnn', peers, rounds
})
const SYNTHETIC = (peers: number, rounds: number): StudyDataset => ({
  id: 'synthetic', label: 'synthetic chest X-rays (2,500 images, 32 px)', spec: { kind: 'synthetic' }, model: 'cnn', peers, rounds
})

/**
 * The sizes. `default` fits in about 15 minutes on 2 cores (measured in
 * simulations/accuracy.md); 5 members is the fewest with which a round survives one dropout
 * (a member needs t others and no sum covers fewer than 3). `smoke` is the same grid on a
 * tiny synthetic set, for tests. `full` is the larger grid for a machine with time to spare.
 */
export function studyPlan (size: StudySize, seed: string): StudyPlan {
  if (size === 'smoke') {
    return {
      size, seed, partitions: ['iid', 'dirichlet:0.5'], dropouts: ['none', 'masked=1'],
      datasets: [{ id: 'synthetic', label: 'synthetic chest X-rays (smoke: 150 images, 16 px)', spec: { kind: 'synthetic', count: 150, size: 16 }, model: 'mlp', peers: 5, rounds: 2 }]
    }
  }
  if (size === 'full') {
    // Not masked=2: with 10 members the SecAgg+ graph has k = 4 neighbours, and two dropped
    // neighbours can leave a member without t others (the round aborts, not-enough-shares).
    return { size, seed, partitions: ['iid', 'dirichlet:0.5', 'dirichlet:0.1'], dropouts: ['none', 'masked=1'], datasets: [MNIST(10, 20), SYNTHETIC(10, 20)] }
  }
  return { size, seed, partitions: ['iid', 'dirichlet:0.5'], dropouts: ['none', 'masked=1'], datasets: [MNIST(5, 5), SYNTHETIC(5, 5)] }
}

export function studyCells (plan: StudyPlan): StudyCell[] {
  return plan.datasets.flatMap((dataset) => plan.partitions.flatMap((partitionText) => plan.dropouts.map((dropoutText) => ({
    id: `${dataset.id}-${partitionText.replace(':', '')}-${dropoutText.replace(/[=,]/g, '')}`,
    dataset,
    partition: partitionText,
    partitionSpec: parsePartition(partitionText),
    dropout: dropoutText,
    dropoutSpec: parseDropoutSpec(dropoutText === 'none' ? '' : dropoutText)
  }))))
}

/** "IID, no dropout" / "non-IID α = 0.5, dropout masked=1". */
export function scenarioLabel (cell: { readonly partition: string, readonly dropout: string }): string {
  const partition = cell.partition === 'iid' ? 'IID' : `non-IID α = ${cell.partition.split(':')[1]}`
  const dropout = cell.dropout === 'none' ? 'no dropout' : `dropout ${cell.dropout}`
  return `${partition}, ${dropout}`
}
