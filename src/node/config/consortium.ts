/**
 * The consortium file: who the members are, the protocol parameters and the task. Every
 * member uses the same file; its SHA-256 goes into every session's binding, so members with
 * different files never mix (docs/PROTOCOL.md, "Session binding"). Validated with zod; an error names
 * the field and what is expected.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { assertSafeThreshold, chooseGraph, defaultMaxCorrupt } from '../../protocol/index.ts'
import type { StageTimeouts } from '../../protocol/index.ts'
import { privacySchema } from '../../privacy/index.ts'
import { tcpMultiaddrField } from './multiaddr-text.ts'

export class ConsortiumFileError extends Error {
  static override name = 'ConsortiumFileError'
  override name = 'ConsortiumFileError'
}

const peerIdString = z.string().refine((s) => {
  try { return peerIdFromString(s).type === 'Ed25519' } catch { return false }
}, { message: 'must be an Ed25519 libp2p peer id (the one `secagg init` prints, 12D3Koo...)' })

/**
 * The Ed25519 public key a peer id embeds, hex; undefined for a string that is not one. One
 * key can be written as several peer-id strings (base58 `12D3Koo…` or a CID `bafz…`), so
 * members are told apart by key, never by the string.
 */
/** The peer id as libp2p prints it (base58 `12D3Koo…`): nodes compare members by this string. */
export function canonicalPeerId (peerId: string): string | undefined {
  try { return peerIdFromString(peerId).toString() } catch { return undefined }
}

export function memberKeyOf (peerId: string): string | undefined {
  try {
    const id = peerIdFromString(peerId)
    return id.type === 'Ed25519' ? Buffer.from(id.publicKey.raw).toString('hex') : undefined
  } catch {
    return undefined
  }
}

const stageMs = z.number().int().min(100).max(86_400_000)

const vectorSumTask = z.object({
  type: z.literal('vector-sum'),
  dim: z.number().int().min(1).max(64 * 1024 * 1024)
}).strict()

const trainTask = z.object({
  type: z.literal('train'),
  /** Class names, in label order; every member's data must have exactly these. */
  classes: z.array(z.string().min(1).max(200)).min(2).max(10_000),
  model: z.enum(['cnn', 'mlp']).default('cnn'),
  /** Side of the square greyscale model input (MNIST: 28). */
  imageSize: z.number().int().min(8).max(512).default(64),
  epochs: z.number().int().min(1).max(1000).default(1),
  batchSize: z.number().int().min(1).max(65_536).default(32),
  learningRate: z.number().positive().max(10).default(0.002),
  /** Seed of the initial model every member derives on its own. */
  seed: z.string().min(1).max(200).default('secagg-initial-model')
}).strict()

const memberSchema = z.object({
  peerId: peerIdString,
  name: z.string().max(200).optional(),
  addresses: z.array(tcpMultiaddrField).default([])
}).strict()

const MIN_MEMBERS_MESSAGE = 'a consortium needs at least 3 members (secure aggregation of 2 reveals each input to the other)'

const consortiumFields = {
  consortium: z.string().min(1).max(200),
  members: z.array(memberSchema).max(65_535),
  protocol: z.object({
    /** Shamir t: "auto" (the smallest safe against maxCorrupt) or a number, refused if unsafe. */
    threshold: z.union([z.literal('auto'), z.number().int().min(2)], {
      error: 'must be "auto" or an integer ≥ 2 ("majority" is no longer accepted: it is unsafe against a cheating aggregator)'
    }).default('auto'),
    /** c: corrupt members tolerated besides the aggregator; default ⌊(n − 1)/3⌋. */
    maxCorrupt: z.number().int().min(0).optional(),
    neighbours: z.union([z.literal('complete'), z.literal('auto'), z.number().int().min(2).multipleOf(2)]).default('complete'),
    clip: z.number().positive().max(1e12).default(1),
    maxWeight: z.number().int().min(1).max(2 ** 31 - 1).default(1),
    maxMessageBytes: z.number().int().min(1024).max(2 ** 31 - 1).default(256 * 1024 * 1024)
  }).strict().default({ threshold: 'auto', neighbours: 'complete', clip: 1, maxWeight: 1, maxMessageBytes: 256 * 1024 * 1024 }),
  timeouts: z.object({
    /** Deadline of every protocol stage at the aggregator (participants allow twice as long). */
    stageMs: stageMs.default(10_000),
    /** Per-stage overrides of stageMs; `masked` also covers local training. */
    stages: z.object({
      advertise: stageMs.optional(),
      share: stageMs.optional(),
      masked: stageMs.optional(),
      consistency: stageMs.optional(),
      unmask: stageMs.optional()
    }).strict().default({}),
    /** Pause between rounds. */
    roundIntervalMs: z.number().int().min(0).max(86_400_000).default(0)
  }).strict().default({ stageMs: 10_000, stages: {}, roundIntervalMs: 0 }),
  task: z.discriminatedUnion('type', [vectorSumTask, trainTask]),
  /** Distributed differential privacy of the train task (docs/PRIVACY.md); absent: none. */
  privacy: privacySchema.optional()
}

function refuseRepeatedKeys (c: { members: ReadonlyArray<{ peerId: string }> }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>()
  c.members.forEach((m, i) => {
    const key = memberKeyOf(m.peerId)
    if (key === undefined) return
    const first = seen.get(key)
    if (first !== undefined) {
      const as = c.members[first]!.peerId === m.peerId ? '' : ` (the same Ed25519 key as members.${first}, written differently)`
      ctx.addIssue({ code: 'custom', path: ['members', i, 'peerId'], message: `peer ${m.peerId} is listed twice${as}` })
    } else {
      seen.set(key, i)
    }
  })
}

/**
 * A consortium file being assembled by `secagg consortium new` and `add`: every field as in
 * the full file, but any number of members (rounds need at least 3; consortiumSchema).
 */
export const consortiumDraftSchema = z.object(consortiumFields).strict().superRefine(refuseRepeatedKeys)

export type ConsortiumDraft = z.infer<typeof consortiumDraftSchema>

export const consortiumSchema = z.object({
  ...consortiumFields,
  members: consortiumFields.members.min(3, MIN_MEMBERS_MESSAGE)
}).strict().superRefine((c, ctx) => {
  refuseRepeatedKeys(c, ctx)
  if (c.privacy !== undefined && c.task.type !== 'train') {
    ctx.addIssue({ code: 'custom', path: ['privacy'], message: 'differential privacy applies to the train task (clipped model updates); remove "privacy" or use "task": { "type": "train", ... }' })
  }
  const k = c.protocol.neighbours
  if (typeof k === 'number' && k >= c.members.length) {
    ctx.addIssue({ code: 'custom', path: ['protocol', 'neighbours'], message: `neighbours ${k} must be below the ${c.members.length} members (use "complete")` })
    return
  }
  if (c.members.length < 3) return
  try {
    sessionParameters(c)
  } catch (err) {
    if ((err as Error).name !== 'ProtocolConfigError') throw err
    ctx.addIssue({ code: 'custom', path: ['protocol'], message: (err as Error).message })
  }
})

export interface SessionParameters {
  readonly maxCorrupt: number
  readonly neighbours: number | 'complete'
  readonly threshold: number
}

/**
 * c, the graph and t of every session of this consortium (docs/PROTOCOL.md, "The threshold
 * rule"): SecAgg+ "auto" uses the parameter finder; an explicit t must be safe against c.
 */
export function sessionParameters (c: Pick<Consortium, 'members' | 'protocol'>): SessionParameters {
  const peers = c.members.length
  const maxCorrupt = c.protocol.maxCorrupt ?? defaultMaxCorrupt(peers)
  const choice = chooseGraph({ peers, maxCorrupt, neighbours: c.protocol.neighbours })
  const threshold = c.protocol.threshold === 'auto' ? choice.threshold : c.protocol.threshold
  assertSafeThreshold({ peers, maxCorrupt, neighbours: choice.neighbours, threshold })
  return { maxCorrupt, neighbours: choice.neighbours, threshold }
}

export type Consortium = z.infer<typeof consortiumSchema>

/** The deadline of each stage: timeouts.stages overrides timeouts.stageMs. */
export function stageTimeoutsOf (c: Consortium): StageTimeouts {
  const { stageMs, stages } = c.timeouts
  return {
    advertise: stages.advertise ?? stageMs,
    share: stages.share ?? stageMs,
    masked: stages.masked ?? stageMs,
    consistency: stages.consistency ?? stageMs,
    unmask: stages.unmask ?? stageMs
  }
}

export interface LoadedConsortium {
  readonly file: Consortium
  /** SHA-256 of the file's bytes: part of every session binding. */
  readonly hash: Uint8Array
  readonly path: string
}

/** One line per issue: the field's path in the file and what is wrong with it. */
export function issueLines (issues: ReadonlyArray<{ path: readonly PropertyKey[], message: string }>): string[] {
  return issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`)
}

/** The file's JSON, or a ConsortiumFileError naming the file. */
export function parseConsortiumJson (bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (err) {
    throw new ConsortiumFileError(`${path}: not valid JSON (${(err as Error).message})`)
  }
}

export function parseConsortium (bytes: Uint8Array, path: string): LoadedConsortium {
  const parsed = consortiumSchema.safeParse(parseConsortiumJson(bytes, path))
  if (!parsed.success) throw new ConsortiumFileError(`${path}: invalid consortium file\n${issueLines(parsed.error.issues).map((l) => `  ${l}`).join('\n')}`)
  return { file: parsed.data, hash: createHash('sha256').update(bytes).digest(), path }
}

/** The file's bytes, or a ConsortiumFileError naming the file. */
export function readConsortiumBytes (path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new ConsortiumFileError(`cannot read the consortium file ${path}: ${(err as Error).message}`)
  }
}

export function loadConsortium (path: string): LoadedConsortium {
  return parseConsortium(readConsortiumBytes(path), path)
}
