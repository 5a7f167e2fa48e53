/**
 * ChaCha20-Poly1305 AEAD (RFC 8439) for the Shamir shares one peer sends another through
 * the untrusted aggregator. The associated data binds sender, receiver and session, so the
 * aggregator can neither redirect a share to another peer nor replay it into another
 * session: either is a DecryptionError at the receiver.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto'
import { assertLength, concatBytes } from './bytes.ts'
import { DecryptionError, InvalidCryptoInputError } from './errors.ts'
import { systemRandom } from './random.ts'
import type { RandomSource } from './random.ts'

export const AEAD_KEY_BYTES = 32
export const AEAD_NONCE_BYTES = 12
export const AEAD_TAG_BYTES = 16

/** RFC 8439 §2.8 encryption: returns ciphertext ‖ tag. */
export function chacha20Poly1305Encrypt (key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
  assertLength(key, AEAD_KEY_BYTES, 'AEAD key')
  assertLength(nonce, AEAD_NONCE_BYTES, 'AEAD nonce')
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES })
  cipher.setAAD(associatedData, { plaintextLength: plaintext.length })
  const body = cipher.update(plaintext)
  const final = cipher.final()
  return concatBytes(body, final, cipher.getAuthTag())
}

/** RFC 8439 §2.8 decryption of ciphertext ‖ tag; throws DecryptionError if the tag fails. */
export function chacha20Poly1305Decrypt (key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  assertLength(key, AEAD_KEY_BYTES, 'AEAD key')
  assertLength(nonce, AEAD_NONCE_BYTES, 'AEAD nonce')
  if (sealed.length < AEAD_TAG_BYTES) {
    throw new DecryptionError(`AEAD ciphertext is ${sealed.length} bytes, shorter than its ${AEAD_TAG_BYTES}-byte tag`)
  }
  const body = sealed.subarray(0, sealed.length - AEAD_TAG_BYTES)
  const tag = sealed.subarray(sealed.length - AEAD_TAG_BYTES)
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: AEAD_TAG_BYTES })
  decipher.setAAD(associatedData, { plaintextLength: body.length })
  decipher.setAuthTag(tag)
  const out = decipher.update(body)
  try {
    return concatBytes(out, decipher.final())
  } catch {
    throw new DecryptionError('AEAD authentication failed: the ciphertext was tampered with, misaddressed, or belongs to another session')
  } finally {
    out.fill(0) // the caller gets its own copy; the decipher's buffer may hold shares
  }
}

/** Encrypts with a fresh random nonce; returns nonce ‖ ciphertext ‖ tag. */
export function aeadSeal (key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array, rng: RandomSource = systemRandom): Uint8Array {
  const nonce = rng(AEAD_NONCE_BYTES)
  return concatBytes(nonce, chacha20Poly1305Encrypt(key, nonce, plaintext, associatedData))
}

/** Opens nonce ‖ ciphertext ‖ tag; throws DecryptionError on any mismatch. */
export function aeadOpen (key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  if (!(sealed instanceof Uint8Array)) throw new InvalidCryptoInputError('sealed box must be a Uint8Array')
  if (sealed.length < AEAD_NONCE_BYTES + AEAD_TAG_BYTES) {
    throw new DecryptionError(`sealed box is ${sealed.length} bytes, shorter than nonce + tag (${AEAD_NONCE_BYTES + AEAD_TAG_BYTES})`)
  }
  return chacha20Poly1305Decrypt(key, sealed.subarray(0, AEAD_NONCE_BYTES), sealed.subarray(AEAD_NONCE_BYTES), associatedData)
}
