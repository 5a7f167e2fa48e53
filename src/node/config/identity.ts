/**
 * A member's identity: one Ed25519 libp2p key, stored as its protobuf encoding in
 * DIR/identity.key with mode 0600. It authenticates Noise connections and signs every
 * protocol message this member sends (the peer id embeds the public key, so members can
 * verify signatures from the consortium file alone).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

export const IDENTITY_FILE = 'identity.key'

export class IdentityError extends Error {
  static override name = 'IdentityError'
  override name = 'IdentityError'
}

export interface Identity {
  readonly privateKey: Ed25519PrivateKey
  readonly peerId: string
}

/** Creates DIR/identity.key; refuses to overwrite an existing identity. */
export async function createIdentity (dir: string): Promise<Identity> {
  const path = join(dir, IDENTITY_FILE)
  if (existsSync(path)) throw new IdentityError(`${path} already exists; refusing to overwrite a member identity (move it away first if you really mean to replace it)`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const privateKey = await generateKeyPair('Ed25519')
  // 'wx': fail rather than clobber if another process created it in the meantime.
  writeFileSync(path, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
  chmodSync(path, 0o600)
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey).toString() }
}

export function loadIdentity (dir: string): Identity {
  const path = join(dir, IDENTITY_FILE)
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch {
    throw new IdentityError(`no identity at ${path}; run 'secagg init --dir ${dir}' first`)
  }
  if ((statSync(path).mode & 0o077) !== 0) throw new IdentityError(`${path} is readable by other users; run 'chmod 600 ${path}'`)
  let key
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new IdentityError(`${path} is not a libp2p private key (${(err as Error).message})`)
  }
  if (key.type !== 'Ed25519') throw new IdentityError(`${path} holds a ${key.type} key; secagg identities are Ed25519`)
  return { privateKey: key, peerId: peerIdFromPrivateKey(key).toString() }
}
