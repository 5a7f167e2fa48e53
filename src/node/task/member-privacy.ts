/**
 * The train task's differential privacy on one member (docs/PRIVACY.md): the update is
 * L2-clipped, sent with weight 1 and the member's discrete-Gaussian noise share; the ε this
 * member has spent — the rounds its update was in, each with the survivors it actually had —
 * lives in DIR/privacy.json (written atomically before the round's model is committed, and
 * replayed on start: a restart never un-spends ε). A round that could take ε past the budget
 * is refused before training.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RandomSource } from '../../crypto/index.ts'
import type { QuantizationPlan } from '../../protocol/index.ts'
import { clipL2, effectiveNoiseMultiplier, PrivacyBudgetError, PrivacyLedger, sampleNoiseShare } from '../../privacy/index.ts'
import type { PrivacyConfig } from '../../privacy/index.ts'
import { NodeDirError, writeAtomic } from '../config/node-dir.ts'
import type { RoundInput } from './round-task.ts'

export const PRIVACY_FILE = 'privacy.json'

interface SpentRound { readonly round: number, readonly survivors: number, readonly noiseMultiplier: number }

export interface RoundSpend {
  readonly epsilon: number
  readonly survivors: number
  readonly delta: number
  readonly epsilonBudget: number
}

export class MemberPrivacy {
  private readonly ledger: PrivacyLedger
  private readonly spent: SpentRound[]

  constructor (private readonly dir: string, readonly config: PrivacyConfig, private readonly plan: QuantizationPlan, private readonly dim: number, private readonly rng: RandomSource) {
    this.ledger = new PrivacyLedger(config)
    this.spent = readSpent(join(dir, PRIVACY_FILE))
    for (const s of this.spent) this.ledger.record(s.noiseMultiplier)
  }

  get epsilon (): number { return this.ledger.epsilon }

  /** Throws PrivacyBudgetError when a round with only t survivors could exceed the budget. */
  assertRoundFits (): void {
    const refusal = this.ledger.refusal(effectiveNoiseMultiplier(this.plan, this.config.clip, this.dim, this.plan.noise!.survivors))
    if (refusal !== undefined) throw new PrivacyBudgetError(refusal)
  }

  /** The clipped update with weight 1 (the sensitivity is C) and a fresh noise share. */
  privatize (update: ArrayLike<number>): RoundInput & { clipped: boolean } {
    const { update: vector, clipped } = clipL2(update, this.config.clip)
    return { vector, weight: 1, noise: sampleNoiseShare(this.plan, this.dim, this.rng), clipped }
  }

  /** Records a round this member's update was in (once per round), durably; returns what held. */
  spend (round: number, survivors: number): RoundSpend {
    if (!this.spent.some((s) => s.round === round)) {
      const noiseMultiplier = effectiveNoiseMultiplier(this.plan, this.config.clip, this.dim, survivors)
      this.spent.push({ round, survivors, noiseMultiplier })
      writeAtomic(join(this.dir, PRIVACY_FILE), JSON.stringify({ delta: this.config.delta, epsilonBudget: this.config.epsilonBudget, rounds: this.spent }, null, 2) + '\n')
      this.ledger.record(noiseMultiplier)
    }
    return { epsilon: this.ledger.epsilon, survivors, delta: this.config.delta, epsilonBudget: this.config.epsilonBudget }
  }
}

function readSpent (path: string): SpentRound[] {
  if (!existsSync(path)) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new NodeDirError(`${path} cannot be read (${(err as Error).message}); it records the privacy budget already spent — restore it from a backup, never delete it`)
  }
  const rounds = (parsed as { rounds?: unknown }).rounds
  const valid = Array.isArray(rounds) && rounds.every((r: SpentRound) => Number.isInteger(r?.round) && Number.isInteger(r?.survivors) && r.noiseMultiplier > 0)
  if (!valid) throw new NodeDirError(`${path} is not a privacy ledger ({"rounds": [{"round", "survivors", "noiseMultiplier"}]}); restore it from a backup, never delete it`)
  return rounds as SpentRound[]
}
