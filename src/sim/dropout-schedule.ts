/**
 * Dropout schedules: `advertise=2,masked=0.1` drops 2 peers at AdvertiseKeys and 10% of the
 * peers at MaskedInput. A peer dropped at a stage sends nothing from that stage on. Which
 * peers drop is drawn from the seed; the aggregator is spared unless asked.
 */
import { shuffled } from '../crypto/index.ts'
import type { RandomSource } from '../crypto/index.ts'
import { STAGES } from '../protocol/index.ts'
import type { Stage } from '../protocol/index.ts'

/** A --dropout spec that cannot be parsed or drawn; the message names the fix. */
export class DropoutSpecError extends Error {
  static override name = 'DropoutSpecError'
  override name = 'DropoutSpecError'
}

/** stage -> a count (integer ≥ 1) or a fraction of all peers (0 < f < 1). */
export type DropoutSpec = ReadonlyMap<Stage, number>

export function parseDropoutSpec (text: string): DropoutSpec {
  const spec = new Map<Stage, number>()
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const [stage, value, extra] = part.split('=')
    if (stage === undefined || value === undefined || extra !== undefined) throw new DropoutSpecError(`--dropout: '${part}' is not STAGE=COUNT or STAGE=FRACTION`)
    if (!STAGES.includes(stage as Stage)) throw new DropoutSpecError(`--dropout: unknown stage '${stage}'; stages are ${STAGES.join(', ')}`)
    const n = Number(value)
    if (!Number.isFinite(n) || n < 0 || (n >= 1 && !Number.isInteger(n))) throw new DropoutSpecError(`--dropout: '${value}' for ${stage} must be a whole count or a fraction in [0, 1)`)
    if (spec.has(stage as Stage)) throw new DropoutSpecError(`--dropout: stage ${stage} given twice`)
    spec.set(stage as Stage, n)
  }
  return spec
}

/** Draws who drops where. Returns peer index -> stage. */
export function drawDropouts (spec: DropoutSpec, peers: number, aggregator: number, dropAggregator: boolean, rng: RandomSource): Map<number, Stage> {
  const candidates = shuffled(rng, Array.from({ length: peers }, (_, i) => i).filter((i) => dropAggregator || i !== aggregator))
  const out = new Map<number, Stage>()
  for (const stage of STAGES) {
    const value = spec.get(stage)
    if (value === undefined) continue
    const count = value < 1 ? Math.round(value * peers) : value
    if (count > candidates.length) throw new DropoutSpecError(`--dropout: cannot drop ${count} more peers at ${stage}; only ${candidates.length} are left`)
    for (const i of candidates.splice(0, count)) out.set(i, stage)
  }
  return out
}
