/**
 * The round result the aggregator sends every member. It is signed by the aggregator and
 * counts only with consistency signatures over (session id, included) from Q > (n + c + 1)/2
 * of ALL consortium members — the session's consistency quorum (docs/PROTOCOL.md, "Rounds
 * without a server"). Two sessions of one round gathering Q each would share more than c + 1
 * signers, so an honest member would have signed twice, which its promise record forbids: at
 * most one result exists per round. (A plain majority is not enough: the c corrupt members
 * sign in both sessions.)
 */
import { bytesEqual, ed25519Verify, encodeFields } from '../crypto/index.ts'
import type { Ed25519Signer } from '../crypto/index.ts'
import { consistencyMessageFor, resultBoundsViolation } from '../protocol/index.ts'
import type { QuantizationPlan } from '../protocol/index.ts'
import { SignedResult } from './wire/round.generated.ts'
import type { ResultEcho } from './wire/round.generated.ts'

export interface RoundOutcome {
  readonly round: number
  readonly attempt: number
  readonly aggregator: string
  readonly sessionId: Uint8Array
  /** The key commitment the session id was computed from. */
  readonly keysRoot: Uint8Array
  readonly included: readonly string[]
  readonly sum: Float64Array
  readonly weightSum: number
  readonly signatures: ReadonlyArray<{ readonly peer: string, readonly signature: Uint8Array }>
}

export class ResultRejectedError extends Error {
  static override name = 'ResultRejectedError'
  override name = 'ResultRejectedError'
}

function signedBytes (o: RoundOutcome): Uint8Array {
  return encodeFields([
    'secagg/round-result', o.round, o.attempt, o.aggregator, o.sessionId, o.keysRoot, o.included.length, ...o.included,
    new Uint8Array(o.sum.buffer, o.sum.byteOffset, o.sum.byteLength), o.weightSum,
    o.signatures.length, ...o.signatures.flatMap((s) => [s.peer, s.signature])
  ])
}

export function encodeSignedResult (o: RoundOutcome, signer: Ed25519Signer): Uint8Array {
  return SignedResult.encode({
    echoes: [],
    round: BigInt(o.round), attempt: o.attempt, aggregator: o.aggregator, sessionId: o.sessionId as Uint8Array<ArrayBuffer>,
    included: [...o.included], sum: new Uint8Array(o.sum.slice().buffer), weightSum: BigInt(o.weightSum),
    signatures: o.signatures.map((s) => ({ peer: s.peer, signature: s.signature as Uint8Array<ArrayBuffer> })),
    signature: signer.sign(signedBytes(o)) as Uint8Array<ArrayBuffer>,
    keysRoot: o.keysRoot as Uint8Array<ArrayBuffer>
  })
}

/**
 * Decodes and checks a result: the aggregator's signature, the quorum of consistency
 * signatures over exactly (sessionId, included), the bounds every honest sum obeys (weight
 * sum, clip range, at least c + 3 members), and, for a member that took part, that it is the
 * session it signed. Throws ResultRejectedError naming what failed.
 */
export function verifySignedResult (data: Uint8Array, ctx: {
  /** The aggregator of the result's (round, attempt), or how to compute it (only once the signature checks out). */
  readonly expectedAggregator: string | (() => string)
  readonly signingKeys: ReadonlyMap<string, Uint8Array>
  readonly dim: number
  readonly ownSessionId?: Uint8Array
  /** The consortium's quantization plan: the clip and weight bounds of an honest sum. */
  readonly quantization: QuantizationPlan
  /** The fewest members a result may include (c + 3, at least 3). */
  readonly minIncluded: number
  /**
   * The session id of (round, attempt, aggregator) for a key commitment root: a result must
   * name a session of the attempt it claims, so signatures gathered in one session cannot be
   * re-signed as the result of another attempt.
   */
  readonly sessionIdFor: (keysRoot: Uint8Array) => Uint8Array
  /** Consistency signatures a result needs: the session's quorum Q > (n + c + 1)/2. */
  readonly quorum: number
}): { outcome: RoundOutcome, echoes: ResultEcho[] } {
  let msg
  try {
    msg = SignedResult.decode(data, { limits: { included: ctx.signingKeys.size, signatures: ctx.signingKeys.size, echoes: ctx.signingKeys.size } } as never)
  } catch (err) {
    throw new ResultRejectedError(`undecodable result: ${(err as Error).message}`)
  }
  if (msg.round > BigInt(Number.MAX_SAFE_INTEGER)) throw new ResultRejectedError('round out of range')
  if (msg.sessionId.length !== 32) throw new ResultRejectedError('session id must be 32 bytes')
  if (msg.keysRoot.length !== 32) throw new ResultRejectedError('key commitment root must be 32 bytes')
  if (msg.sum.length !== ctx.dim * 8) throw new ResultRejectedError(`sum has ${msg.sum.length} bytes, expected ${ctx.dim * 8}`)
  const sum = new Float64Array(ctx.dim)
  new Uint8Array(sum.buffer).set(msg.sum)
  if (sum.some((x) => !Number.isFinite(x))) throw new ResultRejectedError('sum holds a non-finite value')
  const outcome: RoundOutcome = {
    round: Number(msg.round), attempt: msg.attempt, aggregator: msg.aggregator, sessionId: msg.sessionId, keysRoot: msg.keysRoot, included: msg.included,
    sum, weightSum: Number(msg.weightSum), signatures: msg.signatures
  }
  const aggKey = ctx.signingKeys.get(msg.aggregator)
  if (aggKey === undefined || !ed25519Verify(aggKey, signedBytes(outcome), msg.signature)) throw new ResultRejectedError('the aggregator\'s signature does not verify')
  // Only now the work that grows with the consortium (the ranking, the session id): junk
  // from a member costs a decode and one signature check.
  const expected = typeof ctx.expectedAggregator === 'string' ? ctx.expectedAggregator : ctx.expectedAggregator()
  if (msg.aggregator !== expected) throw new ResultRejectedError(`result names aggregator ${msg.aggregator}, expected ${expected}`)
  if (!bytesEqual(ctx.sessionIdFor(msg.keysRoot), msg.sessionId)) {
    throw new ResultRejectedError(`the session id is not one of round ${outcome.round}, attempt ${outcome.attempt} with aggregator ${outcome.aggregator} (signatures from another session, or this member is on another model)`)
  }
  if (new Set(msg.included).size !== msg.included.length || msg.included.some((p) => !ctx.signingKeys.has(p))) throw new ResultRejectedError('included lists a non-member or a member twice')
  const message = consistencyMessageFor(msg.sessionId, [...ctx.signingKeys.keys()], msg.included)
  const signers = new Set<string>()
  const included = new Set(msg.included)
  for (const s of msg.signatures) {
    const key = ctx.signingKeys.get(s.peer)
    if (key === undefined || signers.has(s.peer) || !included.has(s.peer)) throw new ResultRejectedError(`consistency signature from ${s.peer}, who is not an included member`)
    if (!ed25519Verify(key, message, s.signature)) throw new ResultRejectedError(`consistency signature of ${s.peer} does not verify`)
    signers.add(s.peer)
  }
  if (signers.size < ctx.quorum) throw new ResultRejectedError(`${signers.size} consistency signatures, a result needs ${ctx.quorum} (more than (n + c + 1)/2 of all members)`)
  if (msg.included.length < ctx.minIncluded) throw new ResultRejectedError(`the result includes ${msg.included.length} members; a sum over fewer than ${ctx.minIncluded} could expose an input`)
  const violation = resultBoundsViolation(ctx.quantization, msg.included.length, sum, outcome.weightSum)
  if (violation !== undefined) throw new ResultRejectedError(`the result cannot be an honest sum: ${violation}`)
  if (ctx.ownSessionId !== undefined && !bytesEqual(ctx.ownSessionId, msg.sessionId)) throw new ResultRejectedError('the result belongs to another session than the one this member took part in')
  return { outcome, echoes: msg.echoes }
}
