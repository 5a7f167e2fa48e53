/**
 * The echo step: a member applies a round's result only once a quorum of members has signed
 * the same result digest. The aggregator signs the sum it announces, but nothing stops it
 * from announcing a different in-bounds sum to each member (every one of them checks out
 * alone); without a cross-check, members would train on different models or record different
 * statistics. This is the echo broadcast of Bracha-style reliable broadcast and of the
 * "consistency check" round of Bell et al. 2020 (SecAgg+), section 3.4, applied to the output.
 *
 * Agreement: every member echoes at most one digest per round (kept on disk). Two digests of
 * one round both reaching Q echoes need 2Q − n > c members echoing both, so with
 * Q > (n + c)/2 — the consistency quorum already is — at most one digest of a round is ever
 * applied, whatever the c corrupt members (the aggregator among them) do.
 */
import { createHash } from 'node:crypto'
import { ed25519Verify, encodeFields } from '../crypto/index.ts'
import type { Ed25519Signer } from '../crypto/index.ts'
import type { RoundOutcome } from './signed-result.ts'
import type { ResultEcho } from './wire/round.generated.ts'

/** SHA-256 over everything a member does with a result: which session, who, what sum. */
export function resultDigest (o: RoundOutcome): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeFields([
    'secagg/result-digest', o.round, o.attempt, o.aggregator, o.sessionId, o.keysRoot, o.included.length, ...o.included,
    new Uint8Array(o.sum.buffer, o.sum.byteOffset, o.sum.byteLength), o.weightSum
  ])).digest())
}

function echoBytes (round: number, attempt: number, digest: Uint8Array): Uint8Array {
  return encodeFields(['secagg/result-echo', round, attempt, digest])
}

export function signEcho (peer: string, round: number, attempt: number, digest: Uint8Array, signer: Ed25519Signer): ResultEcho {
  return { peer, digest: digest as Uint8Array<ArrayBuffer>, signature: signer.sign(echoBytes(round, attempt, digest)) as Uint8Array<ArrayBuffer> }
}

/** Whether `echo` is a valid echo by a member of (round, attempt); every field checked. */
export function echoValid (echo: ResultEcho, round: number, attempt: number, signingKeys: ReadonlyMap<string, Uint8Array>): boolean {
  const key = signingKeys.get(echo.peer)
  return key !== undefined && echo.digest.length === 32 && echo.signature.length === 64 && ed25519Verify(key, echoBytes(round, attempt, echo.digest), echo.signature)
}
