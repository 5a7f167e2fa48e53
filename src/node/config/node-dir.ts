/**
 * The member directory: identity.key (0600), config.json (listen/bootstrap addresses and the
 * vector-sum input file), state.json (the next round) and rounds/<r>.json (results). Every
 * write goes to a temporary file and is renamed into place, so a node killed at any moment
 * leaves either the old or the new file, never half of one.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { bootstrapMultiaddrField, tcpMultiaddrField } from './multiaddr-text.ts'

export class NodeDirError extends Error {
  static override name = 'NodeDirError'
  override name = 'NodeDirError'
}

export const nodeConfigSchema = z.object({
  listen: z.array(tcpMultiaddrField).default(['/ip4/0.0.0.0/tcp/4001']),
  /** Members to dial at start, each with its /p2p/<peer id>. */
  bootstrap: z.array(bootstrapMultiaddrField).default([]),
  /** This member's human-readable name (`secagg init --name`): `secagg consortium add` lists it under it. */
  name: z.string().min(1).max(200).optional(),
  /**
   * vector-sum task: JSON {"vector": [...], "weight": 1} (or a bare array), read each round;
   * "{round}" in the name is replaced by the round number (one file per round). A member
   * never contributes an unchanged input to a second sum, so a single file counts once.
   */
  vectorFile: z.string().default('vector.json'),
  /**
   * train task: this member's images — 'mnist', 'synthetic' or an image folder DIR/<class>/<image>;
   * or `{ "source": <one of those>, "obfuscate": true }` to train on them obfuscated with this
   * member's key and VAE (docs/PRIVACY.md, "Image obfuscation").
   */
  dataset: z.union([z.string().min(1), z.object({ source: z.string().min(1), obfuscate: z.boolean().default(false) }).strict()]).optional(),
  /** train task demos: take shard `index` of `count` (IID, seeded) of mnist/synthetic. */
  datasetShard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1), seed: z.string().default('shard') }).strict().refine((s) => s.index < s.count, { message: 'index must be below count' }).optional(),
  /** train task: refuse an image folder with any unreadable file (default: skip and log it). */
  strictDataset: z.boolean().default(false)
}).strict()

export type NodeConfig = z.infer<typeof nodeConfigSchema>

/** The `dataset` field in one shape: where the images come from, and whether to obfuscate them. */
export function datasetChoice (config: NodeConfig): { source: string, obfuscate: boolean } | undefined {
  const d = config.dataset
  if (d === undefined) return undefined
  return typeof d === 'string' ? { source: d, obfuscate: false } : d
}

export function writeAtomic (path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

/**
 * Writes a file that must not exist yet: a temporary file hard-linked into place, so the
 * name appears complete or not at all, and an existing file (even one created a moment
 * ago by another process) is never replaced. False when `path` exists.
 */
export function writeNewFileAtomic (path: string, text: string): boolean {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text)
  try {
    linkSync(tmp, path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    unlinkSync(tmp)
  }
}

export function writeAtomicBytes (path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, bytes)
  renameSync(tmp, path)
}

function readJson (path: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new NodeDirError(`cannot read ${what} ${path}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    // V8's message may quote the text around the bad token: for an input file, part of this
    // member's input, and the message goes to node.log (docs/CRYPTO.md, "What is never logged").
    const at = /at position (\d+)/.exec((err as Error).message)?.[1]
    throw new NodeDirError(`cannot read ${what} ${path}: not valid JSON${at !== undefined ? ` at character ${at}` : ''} (its text is not quoted here; check it with a JSON validator)`)
  }
}

export function loadNodeConfig (dir: string): NodeConfig {
  const path = join(dir, 'config.json')
  if (!existsSync(path)) return nodeConfigSchema.parse({})
  const parsed = nodeConfigSchema.safeParse(readJson(path, 'the node config'))
  if (!parsed.success) throw new NodeDirError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return parsed.data
}

export function readVectorInput (dir: string, config: NodeConfig, dim: number, round = 0): { vector: number[], weight: number } {
  const path = resolve(dir, config.vectorFile.replaceAll('{round}', String(round)))
  const json = readJson(path, 'the vector-sum input')
  const obj = Array.isArray(json) ? { vector: json, weight: 1 } : json as { vector?: unknown, weight?: unknown }
  if (!Array.isArray(obj.vector) || obj.vector.length !== dim) throw new NodeDirError(`${path}: "vector" must be an array of ${dim} numbers (the consortium's task.dim)`)
  obj.vector.forEach((x, i) => { if (typeof x !== 'number' || !Number.isFinite(x)) throw new NodeDirError(`${path}: vector[${i}] is not a finite number`) })
  const weight = obj.weight ?? 1
  if (!Number.isInteger(weight) || (weight as number) < 1) throw new NodeDirError(`${path}: "weight" must be a positive integer`)
  return { vector: obj.vector as number[], weight: weight as number }
}

export interface NodeState { readonly nextRound: number }

export function loadState (dir: string): NodeState {
  const path = join(dir, 'state.json')
  if (!existsSync(path)) return { nextRound: 0 }
  const json = readJson(path, 'the node state') as { nextRound?: unknown }
  if (!Number.isSafeInteger(json.nextRound) || (json.nextRound as number) < 0) throw new NodeDirError(`${path}: "nextRound" must be a non-negative integer`)
  return { nextRound: json.nextRound as number }
}

export function saveState (dir: string, state: NodeState): void {
  writeAtomic(join(dir, 'state.json'), JSON.stringify(state) + '\n')
}

export function saveRoundRecord (dir: string, round: number, record: object): void {
  const roundsDir = join(dir, 'rounds')
  mkdirSync(roundsDir, { recursive: true })
  writeAtomic(join(roundsDir, `${round}.json`), JSON.stringify(record, null, 2) + '\n')
}
