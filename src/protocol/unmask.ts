/**
 * The aggregator's last step (Bonawitz et al. 2017, §4, round 4):
 *   Σ_{u∈U3} x_u = Σ_{u∈U3} y_u − Σ_{u∈U3} PRG(b_u) − Σ_{v∈U2\U3} Σ_{u∈N(v)∩U3} sign(u,v)·PRG(s_uv)
 * b_u and s_v^SK are rebuilt from ≥ t shares, each already checked against its dealer's
 * signature; a rebuilt s_v^SK must also match the public key v advertised, which catches a
 * dealer that signed shares of different polynomials.
 */
import { addMasks, bytesEqual, shamirCombine, x25519PublicKey } from '../crypto/index.ts'
import type { MaskTerm, Share } from '../crypto/index.ts'
import { pairSign } from './session-config.ts'
import type { Session } from './session-config.ts'
import { decodeSum } from './quantize.ts'
import type { RoundResult } from './machine-io.ts'
import type { AbortReason } from './reasons.ts'
import { pairwiseMaskSeed, selfMaskSeed } from './transcript.ts'
import type { AdvertisedKeys } from './transcript.ts'
import type { NeighbourGraph } from './neighbour-graph.ts'

export interface UnmaskInput {
  readonly session: Session
  readonly sessionId: Uint8Array
  readonly graph: NeighbourGraph
  /** Σ y_u over U3, modified in place. */
  readonly sum: Uint32Array
  readonly keys: ReadonlyMap<string, AdvertisedKeys>
  /** U2. */
  readonly sharers: ReadonlySet<string>
  /** U3, sorted. */
  readonly survivors: readonly string[]
  /** owner -> the valid shares of its secret revealed so far (index = the holder's member index). */
  readonly shares: ReadonlyMap<string, readonly Share[]>
}

export type UnmaskOutcome = { ok: true, result: Omit<RoundResult, 'signatures' | 'keysRoot'> } | { ok: false, reason: AbortReason, detail: string }

export function unmaskSum (input: UnmaskInput): UnmaskOutcome {
  const { session, sessionId, graph, sum, keys, sharers, survivors, shares: byOwner } = input
  const t = session.config.threshold
  const u3 = new Set(survivors)
  const dropped = [...sharers].filter((v) => !u3.has(v)).sort()
  const terms: MaskTerm[] = []
  const rebuild = (owner: string, what: string): Uint8Array | string => {
    const shares = byOwner.get(owner) ?? []
    if (shares.length < t) return `${shares.length} shares of ${what} of ${owner} arrived, threshold is ${t}`
    try {
      return shamirCombine(shares, t)
    } catch (err) {
      // Every share is signed by its dealer, so inconsistent shares mean the dealer cheated.
      return `the shares of ${what} of ${owner} are inconsistent (${(err as Error).message})`
    }
  }
  for (const u of survivors) {
    const b = rebuild(u, 'the self-mask seed')
    if (typeof b === 'string') return { ok: false, reason: 'not-enough-shares', detail: b }
    terms.push({ seed: selfMaskSeed(sessionId, b, u), sign: -1 })
    b.fill(0)
  }
  for (const v of dropped) {
    const secret = rebuild(v, 'the masking key')
    if (typeof secret === 'string') return { ok: false, reason: 'not-enough-shares', detail: secret }
    const vKeys = keys.get(v)!
    if (!bytesEqual(x25519PublicKey(secret), vKeys.maskingKey)) {
      secret.fill(0)
      return { ok: false, reason: 'reconstruction-mismatch', detail: `the masking key rebuilt for ${v} does not match its advertised public key` }
    }
    for (const u of graph.neighbours(v)) {
      if (!u3.has(u)) continue
      // u added sign(u,v)·PRG(s_uv); remove it. Both ends derive the same seed.
      terms.push({ seed: pairwiseMaskSeed(sessionId, secret, keys.get(u)!.maskingKey, v, u), sign: pairSign(u, v) === 1 ? -1 : 1 })
    }
    secret.fill(0)
  }
  addMasks(sum, terms)
  const decoded = decodeSum(session.config.quantization, sum)
  return { ok: true, result: { ...decoded, included: [...survivors], droppedAfterSharing: dropped, sessionId } }
}
