/**
 * The --dp-* flags of `secagg simulate --task train`: all four or none, checked by the same
 * schema as the consortium file's `privacy` section (src/privacy/privacy-config.ts).
 */
import { parsePrivacyConfig } from '../../privacy/index.ts'
import type { PrivacyConfig } from '../../privacy/index.ts'
import { UsageError } from './usage-error.ts'

const FLAGS = { clip: 'dp-clip', noiseMultiplier: 'dp-noise', delta: 'dp-delta', epsilonBudget: 'dp-budget' } as const

export function privacyFromFlags (values: Readonly<Record<string, unknown>>): PrivacyConfig | undefined {
  const given = Object.values(FLAGS).filter((f) => values[f] !== undefined)
  if (given.length === 0) return undefined
  if (given.length < 4) throw new UsageError(`differential privacy needs all of --dp-clip, --dp-noise, --dp-delta and --dp-budget (missing ${Object.values(FLAGS).filter((f) => values[f] === undefined).map((f) => `--${f}`).join(', ')})`)
  if (values.plain === true) throw new UsageError('--plain has no secure sum to add the DP noise shares to: drop --plain or the --dp-* flags')
  if (values.clip !== undefined) throw new UsageError('--clip and --dp-clip: use --dp-clip alone (the L2 clip C also bounds every coordinate to [-C, C])')
  const raw: Record<string, number> = {}
  for (const [field, flag] of Object.entries(FLAGS)) {
    const text = String(values[flag])
    const n = Number(text)
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, got '${text}'`)
    raw[field] = n
  }
  try {
    return parsePrivacyConfig(raw, 'dp')
  } catch (err) {
    // Name the flags, not the config fields.
    let message = (err as Error).message
    for (const [field, flag] of Object.entries(FLAGS)) message = message.replaceAll(`dp.${field}`, `--${flag}`)
    throw new UsageError(message)
  }
}
