/**
 * `secagg consortium new NAME`: a consortium file with no members yet and settings for a
 * demo an operator can watch. Each choice is explained below and in docs/CLI.md; JSON has
 * no comments, so the file itself cannot say why.
 */
import { consortiumDraftSchema, issueLines } from '../config/consortium.ts'
import { consortiumText } from '../config/consortium-draft.ts'
import { writeNewFileAtomic } from '../config/node-dir.ts'
import type { CliIo } from './main.ts'
import { intFlag } from './number-flags.ts'
import { parseFlags } from './parse-flags.ts'
import { UsageError } from './usage-error.ts'

export const CONSORTIUM_NEW_HELP = `Usage: secagg consortium new NAME [--out FILE] [--task vector-sum --dim M | --task train --classes A,B,...]

Writes a consortium file named NAME with no members yet; refuses to overwrite a file.
Then list each member with 'secagg consortium add FILE --member DIR'.

  --out FILE         where to write it (default consortium.json)
  --task T           vector-sum (default) or train
  --dim M            vector-sum: the vector length (default 4, the length of the
                     vector.json template 'secagg init' writes)
  --classes A,B,...  train: the class names in label order (at least 2)

Settings written (edit the file before copying it to the members to change them):
protocol threshold "auto" and neighbours "complete"; maxCorrupt left to its default
floor((n - 1)/3); vector-sum clip 100 and maxWeight 10, train clip 1 and maxWeight
100000; every stage 5 s (train: the masked stage, which includes local training, 120 s);
5 s between rounds, so each round can be followed in 'secagg logs --follow'.
`

/** The settings `new` writes; docs/CLI.md ("secagg consortium new") explains each. */
const DEMO_PROTOCOL = {
  // The safe defaults, written out so the operator sees what can be changed.
  threshold: 'auto',
  neighbours: 'complete'
}
const DEMO_TIMEOUTS = {
  // A stage of a small round on one machine takes well under a second: a silent member or
  // aggregator is noticed within 5 s (participants wait twice as long), not the 10 s default.
  stageMs: 5000,
  // Without a pause the rounds of a demo follow each other within a second.
  roundIntervalMs: 5000
}

function vectorSumSettings (dim: number): object {
  return {
    // Vector entries in [-100, 100], weights up to 10: the fixed-point scale is derived from these.
    protocol: { ...DEMO_PROTOCOL, clip: 100, maxWeight: 10 },
    timeouts: DEMO_TIMEOUTS,
    task: { type: 'vector-sum', dim }
  }
}

function trainSettings (classes: string[]): object {
  return {
    // Updates clipped to [-1, 1]; the weight of an update is its member's image count.
    protocol: { ...DEMO_PROTOCOL, clip: 1, maxWeight: 100_000 },
    // The masked stage includes one round of local training.
    timeouts: { ...DEMO_TIMEOUTS, stages: { masked: 120_000 } },
    // 32 × 32 inputs train in seconds on a CPU (the synthetic demo data); 64 is the default.
    task: { type: 'train', classes, imageSize: 32, epochs: 1 }
  }
}

function taskSettings (task: string, dim: string | undefined, classes: string | undefined): object {
  if (task === 'vector-sum') {
    if (classes !== undefined) throw new UsageError('--classes is for --task train')
    return vectorSumSettings(intFlag(dim, 'dim', 1, 64 * 1024 * 1024) ?? 4)
  }
  if (task !== 'train') throw new UsageError(`--task must be vector-sum or train, got '${task}'`)
  if (dim !== undefined) throw new UsageError('--dim is for --task vector-sum (a train task\'s size comes from its model)')
  const names = (classes ?? '').split(',').map((c) => c.trim()).filter((c) => c.length > 0)
  if (names.length < 2) throw new UsageError('--task train needs --classes with at least 2 class names, e.g. --classes normal,opacity')
  if (new Set(names).size !== names.length) throw new UsageError(`--classes names a class twice: '${classes}'`)
  return trainSettings(names)
}

export async function runConsortiumNew (argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    out: { type: 'string' }, task: { type: 'string' }, dim: { type: 'string' }, classes: { type: 'string' }, help: { type: 'boolean', short: 'h' }
  }, 'consortium new', { words: true })
  if (values.help === true) { io.stdout(CONSORTIUM_NEW_HELP); return 0 }
  if (positionals.length !== 1) throw new UsageError(`give the consortium's NAME (one word or a quoted phrase), got ${positionals.length} words. Run 'secagg consortium new --help'.`)
  const json = { consortium: positionals[0], members: [], ...taskSettings(values.task ?? 'vector-sum', values.dim, values.classes) }
  const parsed = consortiumDraftSchema.safeParse(json)
  if (!parsed.success) throw new UsageError(issueLines(parsed.error.issues).join('; '))
  const out = values.out ?? 'consortium.json'
  let written
  try {
    written = writeNewFileAtomic(out, consortiumText(json))
  } catch (err) {
    throw new UsageError(`cannot write ${out}: ${(err as Error).message}`)
  }
  if (!written) throw new UsageError(`${out} already exists; refusing to overwrite a consortium file (choose another --out, or move it away first)`)
  const task = parsed.data.task
  io.stdout(`wrote ${out}: consortium '${parsed.data.consortium}', task ${task.type === 'vector-sum' ? `vector-sum (dim ${task.dim})` : `train (${task.classes.join(', ')})`}, no members yet`)
  io.stdout(`next: 'secagg consortium add ${out} --member DIR' for each member (rounds need at least 3)`)
  return 0
}
