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

/**
 * Strict parse of a command's flags (and, with `words`, of words such as a file name);
 * `command` names the help to point at ('simulate --task train').
 */
export function parseFlags<const O extends ParseArgsOptionsConfig, const W extends boolean = false> (
  argv: readonly string[], options: O, command: string, words?: W
): ReturnType<typeof parseArgs<{ args: string[], options: O, strict: true, allowPositionals: W }>> {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: (words ?? false) as W })
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run 'secagg ${command} --help'.`)
  }
}
