/**
 * The promises a member makes to the swarm, per round (docs/PROTOCOL.md, "Rounds without a
 * server"):
 *  - it sends at most one masked input per round (the attempt it went to), so no aggregator
 *    can collect two sums over the same input and subtract them (the difference attack);
 *  - it signs at most one consistency check per round, so at most one session of a round can
 *    gather the quorum a result needs;
 *  - it echoes at most one result digest per round, so at most one result of a round is applied;
 *  - it never contributes an unchanged input to a second sum: a salted hash of each input it
 *    masked is kept, so the same input is recognised without being stored.
 * This is the book, in memory; the coordinator hands every change out as a record that its
 * driver writes durably (src/node/store) before anything that depends on it is sent.
 * Nothing secret is in it: attempt numbers, digests of public results, salted hashes.
 */
import { createHash } from 'node:crypto'
import { toHex } from '../crypto/index.ts'

export class PromiseBookError extends Error {
  static override name = 'PromiseBookError'
  override name = 'PromiseBookError'
}

export interface RoundPromises { readonly masked?: number, readonly signed?: number, readonly echoed?: { readonly attempt: number, readonly digest: string } }
export interface PromiseRecord {
  readonly salt: string
  readonly rounds: Readonly<Record<string, RoundPromises>>
  /** Salted hashes of every input ever contributed: all of them — a repeat after any number of rounds is still a repeat. */
  readonly inputs: readonly string[]
  /** Rounds below this were dropped from `rounds`: this member treats them as ones it sent its input to. */
  readonly prunedBelow?: number
}

/** Per-round promises kept in full; older rounds are summarised by `prunedBelow`. */
const KEEP_ROUNDS = 64

/** Checks the shape of a stored record; throws PromiseBookError naming what is wrong. */
export function checkPromiseRecord (json: unknown, where: string): PromiseRecord {
  const r = json as PromiseRecord
  if (typeof r?.salt !== 'string' || !/^[0-9a-f]{64}$/.test(r.salt) || typeof r.rounds !== 'object' || r.rounds === null || !Array.isArray(r.inputs) ||
    !r.inputs.every((h) => typeof h === 'string') || (r.prunedBelow !== undefined && !Number.isSafeInteger(r.prunedBelow))) {
    throw new PromiseBookError(`${where} is not a promise record (salt, rounds, inputs); restore it from a backup`)
  }
  return r
}

export class PromiseBook {
  private data: PromiseRecord
  private readonly inputs: Set<string>

  /** `stored`: the record as last written; `salt`: 32 fresh random bytes for a new book. */
  constructor (stored: PromiseRecord | undefined, salt: Uint8Array) {
    this.data = stored ?? { salt: toHex(salt), rounds: {}, inputs: [] }
    this.inputs = new Set(this.data.inputs)
  }

  get record (): PromiseRecord { return this.data }

  /** The attempt of `round` this member's masked input went to (-1: unknown, the round is older than the rounds kept). */
  maskedIn (round: number): number | undefined {
    if (round < (this.data.prunedBelow ?? 0)) return -1
    return this.data.rounds[String(round)]?.masked
  }
  signedIn (round: number): number | undefined { return this.data.rounds[String(round)]?.signed }
  echoedIn (round: number): { attempt: number, digest: string } | undefined { return this.data.rounds[String(round)]?.echoed }

  /**
   * A salted hash of an input as it is summed: its quantized words (w·x clipped, scaled and
   * rounded, then w), so inputs that differ only below the quantization step or beyond the
   * clip range — the same contribution to the sum — hash alike.
   */
  inputHash (words: Uint32Array): string {
    const h = createHash('sha256').update(Buffer.from(this.data.salt, 'hex'))
    h.update(new Uint8Array(words.buffer, words.byteOffset, words.byteLength))
    return h.digest('hex')
  }

  contributed (inputHash: string): boolean { return this.inputs.has(inputHash) }

  /** The masked input of `round` goes to `attempt`; returns the record to write before it is sent. */
  masked (round: number, attempt: number, inputHash: string): PromiseRecord {
    const r = this.data.rounds[String(round)] ?? {}
    if (r.masked !== undefined) throw new PromiseBookError(`round ${round}: the masked input already went to attempt ${r.masked}`)
    if (this.inputs.has(inputHash)) throw new PromiseBookError(`round ${round}: this input was already contributed to an earlier sum`)
    this.inputs.add(inputHash)
    return this.set(round, { ...r, masked: attempt }, [...this.data.inputs, inputHash])
  }

  /** This member signs U3 of (`round`, `attempt`). */
  signed (round: number, attempt: number): PromiseRecord {
    const r = this.data.rounds[String(round)] ?? {}
    if (r.signed !== undefined && r.signed !== attempt) throw new PromiseBookError(`round ${round}: a consistency check was already signed in attempt ${r.signed}`)
    return this.set(round, { ...r, signed: attempt })
  }

  /** This member echoes `digest` as the result of `round`. */
  echoed (round: number, attempt: number, digest: string): PromiseRecord {
    const r = this.data.rounds[String(round)] ?? {}
    if (r.echoed !== undefined && r.echoed.digest !== digest) throw new PromiseBookError(`round ${round}: another result was already echoed (attempt ${r.echoed.attempt})`)
    return this.set(round, { ...r, echoed: { attempt, digest } })
  }

  private set (round: number, promises: RoundPromises, inputs = this.data.inputs): PromiseRecord {
    const rounds: Record<string, RoundPromises> = {}
    let prunedBelow = this.data.prunedBelow ?? 0
    for (const [k, v] of Object.entries(this.data.rounds)) {
      if (Number(k) >= round - KEEP_ROUNDS) rounds[k] = v
      else prunedBelow = Math.max(prunedBelow, Number(k) + 1)
    }
    rounds[String(round)] = promises
    this.data = { salt: this.data.salt, rounds, inputs, ...(prunedBelow > 0 ? { prunedBelow } : {}) }
    return this.data
  }
}
