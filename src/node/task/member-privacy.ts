/**
 * The train task's differential privacy on one member (docs/PRIVACY.md): the update is
 * L2-clipped, sent with weight 1 and the member's discrete-Gaussian noise share. A round is
 * charged the moment its private input is made — before anything of it can leave — not when
 * a result comes: an aggregator that unmasks the sum and withholds the result, or a result
 * that arrives late, still released the member's noisy update (an attacker review had both
 * cost nothing). It is charged as if only t − c noise shares were honest: c colluders can
 * subtract their own shares, and fewer than t survivors never unmask a sum, so the ε
 * reported is an upper bound whatever happens. The rounds charged live in DIR/privacy.json
 * (written atomically before the input is returned, replayed on start); a replay recomputes
 * each round's noise multiplier from the plan and keeps the smaller of it and the stored one,
 * and a member whose promises.json shows inputs sent cannot start without its ledger. A round
 * that could take ε past the budget is refused before training.
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

  /** Honest noise shares a round is charged with: t − c (at least 1). */
  readonly chargedShares: number
  private readonly multiplier: number

  constructor (private readonly dir: string, readonly config: PrivacyConfig, private readonly plan: QuantizationPlan, private readonly dim: number, private readonly rng: RandomSource, maxCorrupt = 0) {
    this.ledger = new PrivacyLedger(config)
    this.chargedShares = Math.max(1, plan.noise!.survivors - maxCorrupt)
    this.multiplier = effectiveNoiseMultiplier(plan, config.clip, dim, this.chargedShares)
    const path = join(dir, PRIVACY_FILE)
    if (!existsSync(path) && inputsSent(dir)) {
      throw new NodeDirError(`${path} is missing, but ${join(dir, 'promises.json')} shows this member already sent inputs: the privacy budget they spent would be forgotten. Restore ${PRIVACY_FILE} from a backup`)
    }
    // A stored multiplier is never trusted above what the plan gives (a larger one is a smaller ε).
    this.spent = readSpent(path).map((s) => ({ ...s, noiseMultiplier: Math.min(s.noiseMultiplier, this.multiplier) }))
    for (const s of this.spent) this.ledger.record(s.noiseMultiplier)
  }

  get epsilon (): number { return this.ledger.epsilon }

  /** Throws PrivacyBudgetError when one more round could exceed the budget. */
  assertRoundFits (): void {
    const refusal = this.ledger.refusal(this.multiplier)
    if (refusal !== undefined) throw new PrivacyBudgetError(refusal)
  }

  /**
   * The clipped update with weight 1 (the sensitivity is C) and a fresh noise share — after
   * charging `round` durably (once per round; a failover's second attempt reuses the input).
   */
  privatize (round: number, update: ArrayLike<number>): RoundInput & { clipped: boolean } {
    this.charge(round)
    const { update: vector, clipped } = clipL2(update, this.config.clip)
    return { vector, weight: 1, noise: sampleNoiseShare(this.plan, this.dim, this.rng), clipped }
  }

  /** What `round` cost and what has been spent so far (the round is charged if it was not yet). */
  spend (round: number, survivors: number): RoundSpend {
    this.charge(round)
    return { epsilon: this.ledger.epsilon, survivors, delta: this.config.delta, epsilonBudget: this.config.epsilonBudget }
  }

  private charge (round: number): void {
    if (this.spent.some((s) => s.round === round)) return
    this.assertRoundFits()
    const entry = { round, survivors: this.chargedShares, noiseMultiplier: this.multiplier }
    // On disk first: a failed write throws before the round counts as charged here, so a retry
    // charges it again rather than hand out an input nobody paid for.
    writeAtomic(join(this.dir, PRIVACY_FILE), JSON.stringify({ delta: this.config.delta, epsilonBudget: this.config.epsilonBudget, rounds: [...this.spent, entry] }, null, 2) + '\n')
    this.spent.push(entry)
    this.ledger.record(this.multiplier)
  }
}

/** Whether the member's promise record shows an input already sent (a masked input in some round). */
function inputsSent (dir: string): boolean {
  const path = join(dir, 'promises.json')
  if (!existsSync(path)) return false
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as { rounds?: Record<string, { masked?: unknown }>, prunedBelow?: number }
    return (record.prunedBelow ?? 0) > 0 || Object.values(record.rounds ?? {}).some((r) => r?.masked !== undefined)
  } catch {
    return true // unreadable: the node refuses it anyway (member-store.ts); never assume nothing was sent
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
