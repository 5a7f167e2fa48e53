/**
 * Session ids (as fcp/secagg's ComputeSessionId): a SHA-256 hash over the session's
 * parameters and every advertised public key, so that any difference in what two parties
 * saw yields different ids, and every signature, AEAD associated data and KDF info string
 * that carries the id is bound to exactly one session (docs/PROTOCOL.md, "Session binding").
 */
import { createHash } from 'node:crypto'
import { encodeFields } from './bytes.ts'
import type { EncodableField } from './bytes.ts'
import { InvalidCryptoInputError } from './errors.ts'

export const SESSION_ID_BYTES = 32

export interface SessionIdInput {
  /** Parameters in a fixed order: e.g. consortium hash, round, aggregator, threshold... */
  readonly parameters: readonly EncodableField[]
  /** Each party's id and its advertised public keys; order-independent (sorted here). */
  readonly parties: ReadonlyArray<{ readonly id: string, readonly publicKeys: readonly Uint8Array[] }>
}

export function computeSessionId (input: SessionIdInput): Uint8Array {
  const parties = [...input.parties].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (let i = 1; i < parties.length; i++) {
    if (parties[i]!.id === parties[i - 1]!.id) throw new InvalidCryptoInputError(`party ${parties[i]!.id} appears twice in the session`)
  }
  const hash = createHash('sha256')
  hash.update(encodeFields(['secagg-swarm/session-id/v1', input.parameters.length, ...input.parameters, parties.length]))
  for (const party of parties) hash.update(encodeFields([party.id, party.publicKeys.length, ...party.publicKeys]))
  return new Uint8Array(hash.digest())
}
