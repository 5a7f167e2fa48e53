/**
 * X25519 key agreement (RFC 7748) through node:crypto, which is about 30× faster here than
 * pure JS; test/crypto/x25519.spec.ts cross-checks it against @noble/curves.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { BoundedCache } from './bounded-cache.ts'
import { assertLength, concatBytes } from './bytes.ts'
import { LowOrderPointError } from './errors.ts'
import { systemRandom } from './random.ts'
import type { RandomSource } from './random.ts'

export const X25519_KEY_BYTES = 32

// DER prefixes wrapping a raw 32-byte X25519 key (RFC 8410 §7 and §4).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20])
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00])

export interface X25519KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

function privateKeyObject (secretKey: Uint8Array): KeyObject {
  assertLength(secretKey, X25519_KEY_BYTES, 'X25519 secret key')
  return createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, secretKey)), format: 'der', type: 'pkcs8' })
}

/**
 * A participant agrees with every neighbour under the same secret key; parsing it into a
 * KeyObject once per array (not once per agreement) halves the cost of ShareKeys and
 * MaskedInput. Keyed by the array's identity and checked against a digest of its bytes, so
 * a wiped or rewritten array is never served a stale key; forgetX25519Secret drops the
 * entry when the owner erases the secret.
 */
const preparedSecrets = new WeakMap<Uint8Array, { digest: string, key: KeyObject }>()

function secretKeyObject (secretKey: Uint8Array): KeyObject {
  const digest = createHash('sha256').update(secretKey).digest('base64')
  const hit = preparedSecrets.get(secretKey)
  if (hit !== undefined && hit.digest === digest) return hit.key
  const key = privateKeyObject(secretKey)
  preparedSecrets.set(secretKey, { digest, key })
  return key
}

/** Drops the parsed form of a secret key (call when erasing the key). */
export function forgetX25519Secret (secretKey: Uint8Array): void {
  preparedSecrets.delete(secretKey)
}

/**
 * Parsed neighbour keys. A member uses each neighbour's encryption key twice (sealing to it,
 * opening from it); the one-process simulator, where every member's two keys are used by all
 * of its k neighbours, needs room for all 2n of them: with 4,096 entries a round at
 * n = 5,000 parsed every key afresh (DER parse and KeyObject: 8 s of a 162 s run). About
 * 1.7 kB each, so the cap costs at most ~56 MB.
 */
const publicKeys = new BoundedCache<KeyObject>(32_768)

function publicKeyObject (publicKey: Uint8Array): KeyObject {
  assertLength(publicKey, X25519_KEY_BYTES, 'X25519 public key')
  // A view, not Buffer.from(array): copying each 32-byte key took 4 % of a complete-graph round.
  return publicKeys.get(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64'), () => createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' }))
}

/** The public key X25519(k, 9) of a 32-byte secret scalar (clamped per RFC 7748 §5). */
export function x25519PublicKey (secretKey: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyObject(secretKey)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(der.subarray(der.length - X25519_KEY_BYTES))
}

// Curve25519 field prime p = 2^255 − 19 and the u-coordinates of the points of order 1, 2, 4
// and 8 (the small-order subgroup; libsodium's blocklist, reduced mod p). A public key whose
// u (top bit ignored, RFC 7748 §5) is one of these forces an all-zero or guessable shared secret.
const P = (1n << 255n) - 19n
const LOW_ORDER_U = new Set([
  0n, 1n, P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n
])

/**
 * The 32-byte little-endian encodings of those u-coordinates (top bit clear), including the
 * non-canonical u + p where it is still below 2^255 (u = 0, 1: a peer may send p or p + 1).
 */
const LOW_ORDER_ENCODINGS: readonly Uint8Array[] = [...LOW_ORDER_U].flatMap((u) => [u, u + P]).filter((u) => u < 1n << 255n).map((u) => {
  const out = new Uint8Array(X25519_KEY_BYTES)
  for (let i = 0; i < X25519_KEY_BYTES; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn)
  return out
})

/**
 * True when a 32-byte X25519 public key is a point of small order (RFC 7748 §6.1): checked
 * when a key is *received*, so a malicious peer is refused before any agreement runs.
 * Compared byte by byte with the encodings above: reducing the key mod p as a BigInt took 64
 * BigInt allocations per key, ~6 kB of garbage per neighbour entry a member checks.
 */
export function isLowOrderX25519Point (publicKey: Uint8Array): boolean {
  assertLength(publicKey, X25519_KEY_BYTES, 'X25519 public key')
  for (const e of LOW_ORDER_ENCODINGS) {
    let same = (publicKey[X25519_KEY_BYTES - 1]! & 0x7f) === e[X25519_KEY_BYTES - 1]
    for (let i = 0; same && i < X25519_KEY_BYTES - 1; i++) same = publicKey[i] === e[i]
    if (same) return true
  }
  return false
}

/** A fresh key pair whose secret comes from the injected random source. */
export function x25519KeyPair (rng: RandomSource = systemRandom): X25519KeyPair {
  const secretKey = rng(X25519_KEY_BYTES)
  return { secretKey, publicKey: x25519PublicKey(secretKey) }
}

/**
 * The raw shared secret X25519(secretKey, publicKey). Throws LowOrderPointError when the
 * result is all zero (RFC 7748 §6.1): a peer that advertises a low-order point would
 * otherwise force a known "shared" secret. Callers must run the output through HKDF.
 */
export function x25519Agree (secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const priv = secretKeyObject(secretKey)
  const pub = publicKeyObject(publicKey)
  let shared: Buffer
  try {
    shared = diffieHellman({ privateKey: priv, publicKey: pub })
  } catch (err) {
    // OpenSSL refuses to return an all-zero X25519 output; that is the only failure
    // possible for two well-formed 32-byte keys.
    throw new LowOrderPointError(`X25519 agreement failed: the peer public key is a low-order point (${(err as Error).message})`)
  }
  if (shared.every((b) => b === 0)) {
    throw new LowOrderPointError('X25519 produced the all-zero shared secret: the peer public key is a low-order point')
  }
  return new Uint8Array(shared)
}
