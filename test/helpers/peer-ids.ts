/** Real Ed25519 peer ids, the same on every run (a consortium file accepts only real ones). */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { seededRandom } from '../../src/crypto/index.ts'

export async function seededPeerIds (seed: string, count: number): Promise<string[]> {
  const rng = seededRandom(seed)
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', rng(32))).toString())
  return ids
}
