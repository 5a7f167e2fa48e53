/**
 * The train task's checkpoint: DIR/model/weights.bin (the global model as little-endian
 * float32) and DIR/model/checkpoint.json ({round, modelHash, parameters, model}), where
 * `round` is the next round this model is the starting point of. Weights are written first,
 * then the JSON, each atomically, so a node killed at any moment restarts from a complete
 * model; a checkpoint whose weights do not match its hash is refused (and left in place).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { modelHash } from '../../train/model.ts'
import { NodeDirError, writeAtomic, writeAtomicBytes } from './node-dir.ts'

export interface Checkpoint {
  readonly round: number
  readonly modelHash: string
  readonly parameters: number
  readonly model: string
  readonly weights: Float32Array
}

export function saveCheckpoint (dir: string, c: Checkpoint): void {
  const modelDir = join(dir, 'model')
  mkdirSync(modelDir, { recursive: true })
  writeAtomicBytes(join(modelDir, 'weights.bin'), new Uint8Array(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength))
  writeAtomic(join(modelDir, 'checkpoint.json'), JSON.stringify({ round: c.round, modelHash: c.modelHash, parameters: c.parameters, model: c.model }, null, 2) + '\n')
}

export function loadCheckpoint (dir: string): Checkpoint | undefined {
  const path = join(dir, 'model', 'checkpoint.json')
  if (!existsSync(path)) return undefined
  let meta: { round?: unknown, modelHash?: unknown, parameters?: unknown, model?: unknown }
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as typeof meta
  } catch (err) {
    throw new NodeDirError(`${path}: not valid JSON (${(err as Error).message}); restore it from a backup or move DIR/model away to start from the initial model`)
  }
  const bytes = readFileSync(join(dir, 'model', 'weights.bin'))
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  if (!Number.isSafeInteger(meta.round) || typeof meta.modelHash !== 'string' || meta.parameters !== weights.length) {
    throw new NodeDirError(`${path}: checkpoint fields do not match weights.bin (${weights.length} values); move DIR/model away to start from the initial model`)
  }
  if (modelHash(weights) !== meta.modelHash) throw new NodeDirError(`${join(dir, 'model', 'weights.bin')}: its SHA-256 is not the checkpoint's modelHash (a damaged file); move DIR/model away to start from the initial model`)
  return { round: meta.round as number, modelHash: meta.modelHash, parameters: weights.length, model: String(meta.model), weights }
}
