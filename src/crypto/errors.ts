/**
 * Typed errors of the cryptographic layer. Each carries a stable `.name` so callers can
 * branch on it without `instanceof` across module copies (the js-libp2p convention).
 */

/** A key, nonce, seed or other input had the wrong length or form. */
export class InvalidCryptoInputError extends Error {
  static override name = 'InvalidCryptoInputError'
  override name = 'InvalidCryptoInputError'
}

/**
 * X25519 produced the all-zero shared secret: the peer's public key is a low-order point
 * (RFC 7748 §6.1, "check whether the result is the all-zero value and abort if so").
 */
export class LowOrderPointError extends Error {
  static override name = 'LowOrderPointError'
  override name = 'LowOrderPointError'
}

/** AEAD decryption failed: the ciphertext, its associated data or the key do not match. */
export class DecryptionError extends Error {
  static override name = 'DecryptionError'
  override name = 'DecryptionError'
}

/** A signature did not verify under the claimed public key. */
export class InvalidSignatureError extends Error {
  static override name = 'InvalidSignatureError'
  override name = 'InvalidSignatureError'
}

/** Shamir threshold/count out of range: t < 2, t > n, or n above the supported maximum. */
export class InvalidThresholdError extends Error {
  static override name = 'InvalidThresholdError'
  override name = 'InvalidThresholdError'
}

/** A Shamir share is malformed: index 0 or out of range, wrong length, value outside the field. */
export class InvalidShareError extends Error {
  static override name = 'InvalidShareError'
  override name = 'InvalidShareError'
}

/** Two Shamir shares carry the same index; Lagrange interpolation would divide by zero. */
export class DuplicateShareIndexError extends Error {
  static override name = 'DuplicateShareIndexError'
  override name = 'DuplicateShareIndexError'
}

/** Fewer shares than the threshold were supplied to reconstruct a secret. */
export class NotEnoughSharesError extends Error {
  static override name = 'NotEnoughSharesError'
  override name = 'NotEnoughSharesError'
}
