/**
 * What every study does around its own measuring: parse the shared flags, print the help,
 * measure (or, with --replot, read the earlier results.json), then write the charts and
 * summary.md next to the results.
 */
import type { ChartSpec } from '../../src/node/charts/render-chart.ts'
import { parseStudyArgs, readEarlierResults } from './args.ts'
import type { StudyArgs } from './args.ts'
import type { StudyIo } from './main.ts'
import { publishStudy } from './results.ts'

export interface StudyDefinition<R extends { study: string, elapsedMs: number }> {
  readonly name: string
  readonly help: string
  /** The study's own string flags (besides --out, --full, --smoke, --replot, --help). */
  readonly flags?: readonly string[]
  measure (args: StudyArgs, io: StudyIo): R | Promise<R>
  charts (results: R): Record<string, ChartSpec>
  summary (results: R): string
}

export async function runStudy<R extends { study: string, elapsedMs: number }> (study: StudyDefinition<R>, argv: readonly string[], io: StudyIo): Promise<R | undefined> {
  const args = parseStudyArgs(study.name, argv, study.flags)
  if (args.help) { io.stdout(study.help); return undefined }
  const results = args.replot ? readEarlierResults<R>(args.out, study.name) : await study.measure(args, io)
  await publishStudy(args.out, results, study.charts(results), study.summary(results), io.stdout, !args.replot)
  return results
}
