/**
 * The `privacy` section (consortium file) and the simulator's --dp-* flags, validated once:
 * the L2 clip C, the noise multiplier σ (noise std on the sum / C), δ and the ε budget. A
 * budget that a single round already exceeds is refused here, before any member trains.
 */
import { z } from 'zod'
import { PrivacyConfigError } from './errors.ts'
import { computeRdp, DEFAULT_ORDERS, epsilonFromRdp } from './rdp-accountant.ts'

/**
 * ε of one round at multiplier σ. A real round's effective multiplier is at most σ (rounding
 * adds √d/2 to the sensitivity, and t survivors carry exactly σ), so its ε is at least this.
 */
export function oneRoundEpsilon (noiseMultiplier: number, delta: number): number {
  return epsilonFromRdp(DEFAULT_ORDERS, computeRdp(1, noiseMultiplier, 1), delta).epsilon
}

export const privacySchema = z.object({
  /** L2 clip C of each member's update. */
  clip: z.number({ error: 'must be a number (the L2 clip of each update, e.g. 1)' }).positive('must be > 0 (the L2 clip of each update)').max(1e12),
  /** σ: the noise on the sum has standard deviation σ·C when t members survive. */
  noiseMultiplier: z.number({ error: 'must be a number (e.g. 1)' }).positive('must be > 0 (σ = 0 is no privacy)').max(1e6),
  delta: z.number({ error: 'must be a number (e.g. 1e-5)' }).gt(0, 'must be > 0 (e.g. 1e-5)').lt(1, 'must be < 1 (e.g. 1e-5: well below 1/members)'),
  epsilonBudget: z.number({ error: 'must be a number (e.g. 8)' }).positive('must be > 0')
}).strict().superRefine((p, ctx) => {
  // zod runs this refinement even when a field above failed: only judge a valid σ and δ.
  if (!(p.noiseMultiplier > 0 && p.delta > 0 && p.delta < 1 && p.epsilonBudget > 0)) return
  const first = oneRoundEpsilon(p.noiseMultiplier, p.delta)
  if (first > p.epsilonBudget) {
    ctx.addIssue({
      code: 'custom', path: ['epsilonBudget'],
      message: `one round at noiseMultiplier ${p.noiseMultiplier} already spends ε ≥ ${first.toFixed(3)} at δ = ${p.delta} > epsilonBudget ${p.epsilonBudget}: raise the budget or the noise multiplier`
    })
  }
})

export type PrivacyConfig = z.infer<typeof privacySchema>

/** The validated config, or a PrivacyConfigError with one line per problem naming the field. */
export function parsePrivacyConfig (input: unknown, where = 'privacy'): PrivacyConfig {
  const parsed = privacySchema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new PrivacyConfigError(parsed.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '))
}
