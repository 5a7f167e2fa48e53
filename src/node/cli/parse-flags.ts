/**
 * node:util parseArgs for every command, with two things added: a flag value that reads as
 * a negative number (`--rounds -3`) is taken as that flag's value, so the command's range
 * check (number-flags.ts) names the flag and its range — parseArgs alone calls any value
 * that starts with '-' "ambiguous" — and a parse error becomes a UsageError pointing at the
 * command's help.
 */
import { parseArgs } from 'node:util'
import type { ParseArgsOptionsConfig } from 'node:util'
import { UsageError } from './usage-error.ts'

/** '-5', '-0.5', '-.5', '-1e3', '-Infinity': what a value flag's next word may be. */
const NEGATIVE_NUMBER = /^-(?:\d|\.\d|Infinity$)/

function takesValue (arg: string, options: ParseArgsOptionsConfig): boolean {
  if (arg.startsWith('--')) {
    const name = arg.slice(2)
    return !name.includes('=') && Object.hasOwn(options, name) && options[name]!.type === 'string'
  }
  return /^-[^-]$/.test(arg) && Object.values(options).some((o) => o.short === arg[1] && o.type === 'string')
}

/** `--flag -5` → `--flag=-5` (short flags: `-f -5` → `-f-5`) for value flags; everything after `--` is left alone. */
export function joinNegativeValues (argv: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') { out.push(...argv.slice(i)); break }
    const next = argv[i + 1]
    if (next !== undefined && NEGATIVE_NUMBER.test(next) && takesValue(arg, options)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`)
      i++
    } else {
      out.push(arg)
    }
  }
  return out
}

export interface ParseFlagsOptions<W extends boolean> {
  /** The command also takes words, such as a file name (`secagg consortium add FILE`). */
  readonly words?: W
  /** Per flag: why a value is wrong, or undefined; a problem becomes `--flag <problem>`. */
  readonly check?: Readonly<Record<string, (value: string) => string | undefined>>
}

/** Strict parse of a command's flags; `command` names the help to point at ('simulate --task train'). */
export function parseFlags<const O extends ParseArgsOptionsConfig, const W extends boolean = false> (
  argv: readonly string[], options: O, command: string, extra: ParseFlagsOptions<W> = {}
): ReturnType<typeof parseArgs<{ args: string[], options: O, strict: true, allowPositionals: W }>> {
  let parsed
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: (extra.words ?? false) as W })
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run 'secagg ${command} --help'.`)
  }
  for (const [flag, problemOf] of Object.entries(extra.check ?? {})) {
    const given = (parsed.values as Record<string, string | string[] | boolean | undefined>)[flag]
    for (const value of typeof given === 'string' ? [given] : Array.isArray(given) ? given : []) {
      const problem = problemOf(value)
      if (problem !== undefined) throw new UsageError(`--${flag} ${problem}`)
    }
  }
  return parsed
}
