/**
 * Ed25519 signatures (RFC 8032) through node:crypto. Accepts the 32-byte seed or the
 * 64-byte seed ‖ public key form that libp2p's Ed25519 private key exposes as `.raw`, so a
 * member's libp2p identity both authenticates its Noise connections and signs protocol
 * messages.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { BoundedCache } from './bounded-cache.ts'
import type { KeyObject } from 'node:crypto'
import { assertLength, bytesEqual, concatBytes } from './bytes.ts'
import { InvalidCryptoInputError, InvalidSignatureError } from './errors.ts'
import { systemRandom } from './random.ts'
import type { RandomSource } from './random.ts'

export const ED25519_SEED_BYTES = 32
export const ED25519_PUBLIC_KEY_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

// DER prefixes wrapping raw Ed25519 keys (RFC 8410 §7 and §4).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00])

/** Signs messages with one key; holds the parsed key so repeated signing is cheap. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

function seedOf (secretKey: Uint8Array): Uint8Array {
  if (secretKey.length === ED25519_SEED_BYTES) return secretKey
  if (secretKey.length === ED25519_SEED_BYTES + ED25519_PUBLIC_KEY_BYTES) {
    const seed = secretKey.subarray(0, ED25519_SEED_BYTES)
    if (!bytesEqual(ed25519PublicKey(seed), secretKey.subarray(ED25519_SEED_BYTES))) {
      throw new InvalidCryptoInputError('Ed25519 64-byte secret key: its public half does not match its seed')
    }
    return seed
  }
  throw new InvalidCryptoInputError(`Ed25519 secret key must be 32 bytes (seed) or 64 bytes (seed ‖ public key), got ${secretKey.length}`)
}

function privateKeyObject (seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' })
}

/** Parsed identity keys, one per member: room for a 32,768-member consortium (~370 bytes each). */
const publicKeys = new BoundedCache<KeyObject>(32_768)
/** Outcomes of signature checks, keyed by SHA-256(public key ‖ signature ‖ message): public data only. */
const verified = new BoundedCache<boolean>(65_536)

function publicKeyObject (publicKey: Uint8Array): KeyObject {
  assertLength(publicKey, ED25519_PUBLIC_KEY_BYTES, 'Ed25519 public key')
  return publicKeys.get(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64'), () => createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' }))
}

/** The public key of a 32-byte seed. */
export function ed25519PublicKey (seed: Uint8Array): Uint8Array {
  assertLength(seed, ED25519_SEED_BYTES, 'Ed25519 seed')
  const der = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.length - ED25519_PUBLIC_KEY_BYTES))
}

/** A new signing key from the injected random source. */
export function ed25519KeyPair (rng: RandomSource = systemRandom): { secretKey: Uint8Array, publicKey: Uint8Array } {
  const secretKey = rng(ED25519_SEED_BYTES)
  return { secretKey, publicKey: ed25519PublicKey(secretKey) }
}

/** A signer over a 32-byte seed or a 64-byte libp2p raw private key. */
export function createEd25519Signer (secretKey: Uint8Array): Ed25519Signer {
  const seed = seedOf(secretKey)
  const key = privateKeyObject(seed)
  const publicKey = ed25519PublicKey(seed)
  return {
    publicKey,
    sign: (message) => new Uint8Array(sign(null, message, key))
  }
}

/** One-shot signature (RFC 8032 §5.1.6). */
export function ed25519Sign (secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return createEd25519Signer(secretKey).sign(message)
}

/** True iff `signature` is a valid RFC 8032 signature of `message` under `publicKey`. */
export function ed25519Verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false
  const key = createHash('sha256').update(publicKey).update(signature).update(message).digest('base64')
  return verified.get(key, () => {
    try {
      return verify(null, message, publicKeyObject(publicKey), signature)
    } catch {
      return false // a public key that is not a curve point
    }
  })
}

/** One signer's key and signature, for `ed25519VerifyBatch`. */
export interface SignedBy {
  readonly publicKey: Uint8Array
  readonly signature: Uint8Array
}

/** How a batch fared: signatures that verified before the stop, and the first that failed (−1: none). */
export interface BatchVerification {
  readonly valid: number
  readonly failedAt: number
}

/** Outcomes of whole batches, keyed by SHA-256 over (enough, message, every key and signature): public data only. */
const batches = new BoundedCache<BatchVerification>(1024)

/**
 * Checks signatures by several keys over one message, in order, stopping at the first that
 * fails or once `enough` have verified. A quorum certificate (Q consistency signatures over
 * one U3) is checked this way: the whole batch is memoized under one hash of its inputs, so
 * members that receive the same certificate — in one process, the simulator's N members —
 * pay one hash of it instead of Q signature checks each, and the message is never rehashed
 * per signature.
 */
export function ed25519VerifyBatch (message: Uint8Array, entries: readonly SignedBy[], enough: number = entries.length): BatchVerification {
  assertEnough(enough)
  // Key and signature lengths are checked before anything is hashed: a batch with a malformed
  // entry is verified up to it and never cached, so the entries below pack unambiguously.
  const malformed = entries.findIndex((e) => e.signature.length !== ED25519_SIGNATURE_BYTES || e.publicKey.length !== ED25519_PUBLIC_KEY_BYTES)
  if (malformed >= 0) return verifyInOrder(message, entries.slice(0, malformed), enough, malformed)
  const packed = new Uint8Array(8 + entries.length * (ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES))
  const view = new DataView(packed.buffer)
  view.setUint32(0, enough, true)
  view.setUint32(4, entries.length, true)
  let offset = 8
  for (const { publicKey, signature } of entries) {
    packed.set(publicKey, offset)
    packed.set(signature, offset + ED25519_PUBLIC_KEY_BYTES)
    offset += ED25519_PUBLIC_KEY_BYTES + ED25519_SIGNATURE_BYTES
  }
  const key = createHash('sha256').update(packed).update(message).digest('base64')
  return batches.get(key, () => verifyInOrder(message, entries, enough, -1))
}

/** `enough` goes into the memo key as a 32-bit count: anything else would share an entry with another value. */
function assertEnough (enough: number): void {
  if (!Number.isSafeInteger(enough) || enough < 0 || enough > 0xffffffff) {
    throw new InvalidCryptoInputError(`a batch's enough must be an integer in [0, 2^32), got ${enough}`)
  }
}

/** Outcomes of packed batches (`ed25519VerifyPackedBatch`), a separate table so the two key layouts never meet. */
const packedBatches = new BoundedCache<BatchVerification>(1024)

/**
 * ed25519VerifyBatch for a certificate as it arrives on the wire: `signatures` is one buffer of
 * count × 64 bytes, and the signers' public keys are named by `keysId` instead of listed —
 * `publicKeyAt(j)` is called only when the batch is not memoized. The memo key hashes
 * `keysId`, the message and the signatures, never the keys, so a member receiving the same
 * certificate as others in its process pays one hash of the signatures (64 bytes each), not
 * the Q key lookups and entry objects of building a list: at n = 10,000 that list was
 * O(n) work for every participant, O(n²) for a simulated round.
 *
 * The caller's contract: `keysId` determines the whole key sequence — equal `keysId` bytes
 * with a different `publicKeyAt` would return the other sequence's outcome. The protocol
 * passes a digest of its session's key table and the signers' member bitmap.
 */
export function ed25519VerifyPackedBatch (message: Uint8Array, signatures: Uint8Array, keysId: Uint8Array, publicKeyAt: (j: number) => Uint8Array, enough: number): BatchVerification {
  assertEnough(enough)
  if (signatures.length % ED25519_SIGNATURE_BYTES !== 0) {
    throw new InvalidCryptoInputError(`a packed signature batch must be a multiple of ${ED25519_SIGNATURE_BYTES} bytes, got ${signatures.length}`)
  }
  const count = signatures.length / ED25519_SIGNATURE_BYTES
  // Fixed-width lengths before every variable field except the last: the key is unambiguous.
  const header = new DataView(new ArrayBuffer(16))
  header.setUint32(0, enough, true)
  header.setUint32(4, count, true)
  header.setUint32(8, keysId.length, true)
  header.setUint32(12, message.length, true)
  const key = createHash('sha256').update(new Uint8Array(header.buffer)).update(keysId).update(message).update(signatures).digest('base64')
  return packedBatches.get(key, () => {
    const entries: SignedBy[] = []
    for (let j = 0; j < count; j++) {
      entries.push({ publicKey: publicKeyAt(j), signature: signatures.subarray(j * ED25519_SIGNATURE_BYTES, (j + 1) * ED25519_SIGNATURE_BYTES) })
    }
    const malformed = entries.findIndex((e) => e.publicKey.length !== ED25519_PUBLIC_KEY_BYTES)
    return verifyInOrder(message, malformed < 0 ? entries : entries.slice(0, malformed), enough, malformed)
  })
}

/** The uncached check: in order, until one fails or `enough` verified; `failedAt` if all pass but a malformed entry follows. */
function verifyInOrder (message: Uint8Array, entries: readonly SignedBy[], enough: number, malformedAt: number): BatchVerification {
  let valid = 0
  for (let i = 0; i < entries.length && valid < enough; i++) {
    const { publicKey, signature } = entries[i]!
    let ok: boolean
    try {
      ok = verify(null, message, publicKeyObject(publicKey), signature)
    } catch {
      ok = false // a public key that is not a curve point
    }
    if (!ok) return { valid, failedAt: i }
    valid++
  }
  return { valid, failedAt: valid < enough ? malformedAt : -1 }
}

/** Throws InvalidSignatureError unless the signature verifies; `what` names it in the message. */
export function assertEd25519Signature (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, what: string): void {
  if (!ed25519Verify(publicKey, message, signature)) {
    throw new InvalidSignatureError(`${what}: Ed25519 signature does not verify`)
  }
}
