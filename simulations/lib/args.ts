/**
 * The flags every study takes: --out DIR, --full (the larger grid), --smoke (a seconds-long
 * grid for tests), --replot (redraw from an earlier run's results.json), --help; a study may add its own. Bad flags are a StudyUsageError with one
 * line naming the flag and the fix; the entry point prints it and exits 2, like the CLI.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ParseArgsOptionsConfig } from 'node:util'

export class StudyUsageError extends Error {
  static override name = 'StudyUsageError'
  override name = 'StudyUsageError'
}

/** The grid a study runs: the default, the larger one (--full) or the tiny one for tests (--smoke). */
export type StudySize = 'default' | 'full' | 'smoke'

export interface StudyArgs {
  readonly out: string
  readonly size: StudySize
  readonly help: boolean
  /** Redraw the charts and summary from OUT/results.json without running anything. */
  readonly replot: boolean
  /** The study's own string flags, as given (undefined when absent). */
  readonly extra: Readonly<Record<string, string | undefined>>
}

/** Parses `argv` for `study`; `extra` names the study's own string flags. */
export function parseStudyArgs (study: string, argv: readonly string[], extra: readonly string[] = []): StudyArgs {
  const options: ParseArgsOptionsConfig = {
    out: { type: 'string' }, full: { type: 'boolean' }, smoke: { type: 'boolean' }, replot: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }]))
  }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    throw new StudyUsageError(`${(err as Error).message}. Run 'npm run sim:${study} -- --help'.`)
  }
  if (values.full === true && values.smoke === true) throw new StudyUsageError('give either --full or --smoke, not both')
  if (values.out === '') throw new StudyUsageError('--out needs a directory name, e.g. --out /tmp/my-run')
  return {
    out: (values.out as string | undefined) ?? `simulations/results/${study}`,
    size: values.full === true ? 'full' : values.smoke === true ? 'smoke' : 'default',
    help: values.help === true,
    replot: values.replot === true,
    extra: Object.fromEntries(extra.map((name) => [name, values[name] as string | undefined]))
  }
}

/** One of `allowed`, or a StudyUsageError naming the flag and the choices. */
/** The results.json of an earlier run in `dir`, for --replot; its study must match. */
export function readEarlierResults<T> (dir: string, study: string): T {
  const path = join(dir, 'results.json')
  let parsed: { study?: unknown }
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as { study?: unknown }
  } catch (err) {
    throw new StudyUsageError(`--replot: cannot read ${path} (${(err as Error).message}); run the study into ${dir} first`)
  }
  if (parsed.study !== study) throw new StudyUsageError(`--replot: ${path} holds the ${String(parsed.study)} study's results, not ${study}'s; pick its --out directory`)
  return parsed as T
}

export function choiceFlag<T extends string> (value: string | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value)) throw new StudyUsageError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`)
  return value as T
}
