/**
 * The member-secret key of image obfuscation (Popescu et al., "Obfuscation Algorithm for
 * Privacy-Preserving Deep Learning-Based Medical Image Analysis", Applied Sciences 12(8),
 * 2022): every random choice of the algorithm — the intensity map, the VAE's initial weights,
 * its batch order and sampling noise — is drawn from streams derived from it, so the same
 * member obfuscates the same image the same way later, and another key gives another map.
 *
 * Its string forms are redacted: a logger or an error message that picks the object up by
 * accident prints `[ObfuscationKey]`, never key bytes. Only `secretBytes()` exposes them, for
 * the member directory's key file.
 */
import { createHash } from 'node:crypto'
import { seededRandom } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'

export const OBFUSCATION_KEY_BYTES = 32

const REDACTED = '[ObfuscationKey]'

export class ObfuscationKeyError extends Error {
  static override name = 'ObfuscationKeyError'
  override name = 'ObfuscationKeyError'
}

export class ObfuscationKey {
  readonly #bytes: Uint8Array

  constructor (bytes: Uint8Array) {
    if (bytes.length !== OBFUSCATION_KEY_BYTES) throw new ObfuscationKeyError(`an obfuscation key is ${OBFUSCATION_KEY_BYTES} bytes, got ${bytes.length}`)
    this.#bytes = Uint8Array.from(bytes)
  }

  /** A fresh key from `rng` (the node passes the OS CSPRNG; tests and studies a seeded one). */
  static generate (rng: RandomSource): ObfuscationKey {
    return new ObfuscationKey(rng(OBFUSCATION_KEY_BYTES))
  }

  /** An independent random stream for one purpose ('intensity-map', 'vae-noise', …). */
  stream (purpose: string): RandomSource {
    return seededRandom(this.derive(purpose))
  }

  /**
   * A seed string for one purpose, for the helpers that take text seeds (model.ts'
   * initialWeights, seededOrder). A one-way hash of the key: secret like it, never logged.
   */
  seed (purpose: string): string {
    return Buffer.from(this.derive(purpose)).toString('hex')
  }

  /** The key itself, to store in the member directory (0600). */
  secretBytes (): Uint8Array {
    return Uint8Array.from(this.#bytes)
  }

  toString (): string { return REDACTED }
  toJSON (): string { return REDACTED }
  [Symbol.for('nodejs.util.inspect.custom')] (): string { return REDACTED }

  private derive (purpose: string): Uint8Array {
    return createHash('sha256').update('secagg-swarm/obfuscation/v1\u0000').update(purpose).update('\u0000').update(this.#bytes).digest()
  }
}
