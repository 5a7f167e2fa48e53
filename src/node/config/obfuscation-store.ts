/**
 * Where a member keeps its image obfuscation (src/train/obfuscation): the key in
 * DIR/obfuscation.key (32 bytes, mode 0600, like identity.key — it is as secret: whoever has
 * it and the VAE can redo this member's obfuscation and pair its outputs with public images)
 * and the trained VAE in DIR/obfuscation/vae-<size>.bin + vae-<size>.json (one per image size,
 * so a member that obfuscates at two sizes never replaces one VAE with another). A key is
 * created at `secagg init`, or on first use in a directory made before obfuscation existed;
 * an existing key or VAE is never overwritten.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { systemRandom } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'
import { modelHash } from '../../train/model.ts'
import { ObfuscationKey, OBFUSCATION_KEY_BYTES } from '../../train/obfuscation/obfuscation-key.ts'
import { ObfuscationVae } from '../../train/obfuscation/vae.ts'
import { NodeDirError, writeAtomic, writeAtomicBytes } from './node-dir.ts'

export const OBFUSCATION_KEY_FILE = 'obfuscation.key'

/** Creates DIR/obfuscation.key unless it exists; false when it already did. */
export function createObfuscationKey (dir: string, rng: RandomSource = systemRandom): boolean {
  const path = join(dir, OBFUSCATION_KEY_FILE)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  try {
    // 'wx': never replace a key, even one another process wrote a moment ago.
    writeFileSync(path, ObfuscationKey.generate(rng).secretBytes(), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
  chmodSync(path, 0o600)
  return true
}

/** The member's key, created first if the directory has none (nothing else in it is touched). */
export function loadObfuscationKey (dir: string, rng: RandomSource = systemRandom): { key: ObfuscationKey, created: boolean } {
  if (!existsSync(dir)) throw new NodeDirError(`no member directory ${dir}; run 'secagg init --dir ${dir}' first`)
  const created = createObfuscationKey(dir, rng)
  const path = join(dir, OBFUSCATION_KEY_FILE)
  if ((statSync(path).mode & 0o077) !== 0) throw new NodeDirError(`${path} is readable by other users; run 'chmod 600 ${path}'`)
  const bytes = readFileSync(path)
  if (bytes.length !== OBFUSCATION_KEY_BYTES) throw new NodeDirError(`${path} holds ${bytes.length} bytes, not a ${OBFUSCATION_KEY_BYTES}-byte obfuscation key; restore it from a backup (a new key would obfuscate differently from before)`)
  return { key: new ObfuscationKey(bytes), created }
}

interface VaeMeta { size: number, latent: number, parameters: number, weightsHash: string, trainedOn: number }

function vaePaths (dir: string, size: number): { bin: string, json: string } {
  return { bin: join(dir, 'obfuscation', `vae-${size}.bin`), json: join(dir, 'obfuscation', `vae-${size}.json`) }
}

/** The member's VAE for `size` × `size` images, or undefined when it has none yet. */
export function loadObfuscationVae (dir: string, size: number): ObfuscationVae | undefined {
  const { bin, json } = vaePaths(dir, size)
  if (!existsSync(json)) return undefined
  let meta: VaeMeta
  try {
    meta = JSON.parse(readFileSync(json, 'utf8')) as VaeMeta
  } catch (err) {
    throw new NodeDirError(`${json}: not valid JSON (${(err as Error).message}); restore it from a backup or move it and ${bin} away to train a new VAE`)
  }
  const bytes = readFileSync(bin)
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  if (meta.size !== size || meta.parameters !== weights.length || modelHash(weights) !== meta.weightsHash) {
    throw new NodeDirError(`${bin} does not match ${json} (a damaged file); restore both from a backup, or move them away to train a new VAE`)
  }
  const vae = ObfuscationVae.create({ size, latent: meta.latent }, 'loaded')
  vae.setWeights(weights)
  return vae
}

/** Weights first, then the JSON that vouches for them, each atomically (as the model checkpoint). */
export function saveObfuscationVae (dir: string, vae: ObfuscationVae, trainedOn: number): void {
  const { bin, json } = vaePaths(dir, vae.shape.size)
  if (existsSync(json)) throw new NodeDirError(`${json} exists; refusing to replace this member's VAE (its obfuscation would change)`)
  mkdirSync(join(dir, 'obfuscation'), { recursive: true, mode: 0o700 })
  const weights = vae.weights()
  writeAtomicBytes(bin, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength))
  const meta: VaeMeta = { size: vae.shape.size, latent: vae.shape.latent, parameters: weights.length, weightsHash: modelHash(weights), trainedOn }
  writeAtomic(json, JSON.stringify(meta, null, 2) + '\n')
}
