/**
 * What each party of a round can hold of the members' updates, produced by the project's
 * real code paths: a member's plain FedSGD update; the masked input a participant machine
 * actually sends the aggregator (captured off the in-memory swarm, dequantized as an attacker
 * would); the unmasked sum the real protocol outputs; and that sum with the distributed
 * discrete-Gaussian noise shares and L2 clipping of `secagg simulate --task train --dp-*`.
 */
import { decodeMessage, decodeSum, encodeInput, planQuantization } from '../../src/protocol/index.ts'
import type { PrivacyConfig } from '../../src/privacy/index.ts'
import { runSimulation } from '../../src/sim/memory-swarm.ts'
import type { SimulationOptions } from '../../src/sim/memory-swarm.ts'
import { PrivateRounds } from '../../src/sim/private-rounds.ts'
import { prepareScenario } from '../../src/sim/scenario.ts'

export class InversionViewError extends Error {
  static override name = 'InversionViewError'
  override name = 'InversionViewError'
}

/** FedSGD (McMahan et al. 2017): one step of plain gradient descent, update = −lr·∇. */
export function fedSgdUpdate (gradient: Float32Array, learningRate: number): Float32Array {
  return Float32Array.from(gradient, (g) => -learningRate * g)
}

/** The per-coordinate range the protocol quantizes (its default clip, as in simulate --task train). */
const COORDINATE_CLIP = 1

/** The aggregator is never the target: it would be attacking its own input (a protocol round needs 3 members; below, member 0). */
export function targetPeer (members: number, seed: string): number {
  if (members < 3) return 0
  const s = prepareScenario({ peers: members, dim: 1, seed, inputs: { vectors: Array.from({ length: members }, () => [0]) } })
  return (s.aggregatorIndex + 1) % members
}

function baseOptions (updates: readonly Float32Array[], weights: readonly number[], seed: string): SimulationOptions {
  return { peers: updates.length, dim: updates[0]!.length, seed, clip: COORDINATE_CLIP, emitSum: true, inputs: { vectors: updates, weights } }
}

/**
 * The masked input peer `target` sends the aggregator in a real round among `updates.length`
 * members, read off the wire and dequantized as the attacker would: each word as a signed
 * 32-bit value over the plan's scale (the last word, the masked weight, dropped).
 */
export function maskedInputOf (updates: readonly Float32Array[], weights: readonly number[], target: number, seed: string): Float32Array {
  const options = baseOptions(updates, weights, seed)
  const plan = prepareScenario(options).config.quantization
  let words: Uint32Array | undefined
  const { report } = runSimulation(options, {
    sent: (from, _to, data) => {
      if (from !== target || words !== undefined) return
      const decoded = decodeMessage(data, { maxPeers: updates.length, vectorWords: options.dim + 1 })
      if (decoded.ok && decoded.message.kind === 'masked-input') words = decoded.message.vector.slice()
    }
  })
  if (words === undefined || report.aborted) throw new InversionViewError(`round with ${updates.length} members: no masked input captured from peer ${target} (${report.reason ?? 'not sent'})`)
  return Float32Array.from(words.subarray(0, options.dim), (w) => (w | 0) / plan.scale)
}

/**
 * The sum Σ w·u the protocol reveals. From three members on it comes from a real round; the
 * protocol never unmasks a sum of fewer than c + 3 ≥ 3 inputs, so for two members it is
 * computed as that round would (each input quantized by encodeInput, added in Z_2^32,
 * decoded) — what a two-member round would reveal if it were allowed.
 */
export function secureSum (updates: readonly Float32Array[], weights: readonly number[], seed: string): { sum: Float32Array, fromProtocol: boolean } {
  if (updates.length >= 3) {
    const { report } = runSimulation(baseOptions(updates, weights, seed))
    if (report.aborted || report.sum === undefined) throw new InversionViewError(`round with ${updates.length} members aborted: ${report.reason}`)
    return { sum: Float32Array.from(report.sum), fromProtocol: true }
  }
  const plan = planQuantization({ clip: COORDINATE_CLIP, maxWeight: Math.max(...weights), members: updates.length })
  const total = new Uint32Array(updates[0]!.length + 1)
  updates.forEach((u, i) => {
    const { words } = encodeInput(plan, u, weights[i]!)
    for (let j = 0; j < total.length; j++) total[j] = (total[j]! + words[j]!) >>> 0
  })
  return { sum: Float32Array.from(decodeSum(plan, total).sum), fromProtocol: false }
}

/**
 * The noisy sum of a real round under distributed DP, prepared exactly as
 * `secagg simulate --task train --dp-*` prepares it (src/sim/federated-training.ts): weight 1
 * each, every update L2-clipped to C, each member's discrete-Gaussian noise share for
 * σ·C on the sum of t shares added in the ring before masking.
 */
export function dpSum (updates: readonly Float32Array[], privacy: PrivacyConfig, seed: string): { sum: Float32Array, clippedMembers: number, threshold: number, noiseStddev: number } {
  const weights = updates.map(() => 1)
  const options: SimulationOptions = { ...baseOptions(updates, weights, seed), clip: privacy.clip, dpNoise: { stddev: privacy.noiseMultiplier * privacy.clip } }
  const scenario = prepareScenario(options)
  const plan = scenario.config.quantization
  const inputs = new PrivateRounds(privacy, seed).inputs(plan, updates, 0)
  const { report } = runSimulation({ ...options, inputs: { vectors: inputs.vectors, weights, noise: inputs.noise } })
  if (report.aborted || report.sum === undefined) throw new InversionViewError(`DP round with ${updates.length} members aborted: ${report.reason}`)
  return {
    sum: Float32Array.from(report.sum), clippedMembers: inputs.clippedMembers, threshold: scenario.threshold,
    noiseStddev: plan.noise!.shareStddev * Math.sqrt(report.included.length) / plan.scale
  }
}
