/**
 * The quantization plan every member of a consortium derives from the file: the protocol's
 * clip and maxWeight over the members, plus — with a `privacy` section — the range the
 * distributed DP noise needs (carried by t survivors; docs/PRIVACY.md). Members compute it
 * alone and identically, so they agree on the scale and the noise share without talking.
 */
import { planQuantization } from '../../protocol/index.ts'
import type { QuantizationPlan } from '../../protocol/index.ts'
import { noiseOptions } from '../../privacy/index.ts'
import { sessionParameters } from './consortium.ts'
import type { Consortium } from './consortium.ts'

export function consortiumQuantization (c: Consortium, dim: number): QuantizationPlan {
  const { protocol, privacy } = c
  const noise = privacy === undefined ? {} : { noise: noiseOptions(privacy.clip, privacy.noiseMultiplier, sessionParameters(c).threshold, dim) }
  return planQuantization({ clip: protocol.clip, maxWeight: protocol.maxWeight, members: c.members.length, ...noise })
}
