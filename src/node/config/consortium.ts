/**
 * The consortium file: who the members are, the protocol parameters and the task. Every
 * member uses the same file; its SHA-256 goes into every session's binding, so members with
 * different files never mix (docs/PROTOCOL.md, "Session binding"). Validated with zod; an error names
 * the field and what is expected.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { assertSafeThreshold, chooseGraph, defaultMaxCorrupt } from '../../protocol/index.ts'
import type { StageTimeouts } from '../../protocol/index.ts'

export class ConsortiumFileError extends Error {
  static override name = 'ConsortiumFileError'
  override name = 'ConsortiumFileError'
}

const peerIdString = z.string().refine((s) => {
  try { return peerIdFromString(s).type === 'Ed25519' } catch { return false }
}, { message: 'must be an Ed25519 libp2p peer id (the one `secagg init` prints, 12D3Koo...)' })

const multiaddrString = z.string().refine((s) => {
  try { multiaddr(s); return true } catch { return false }
}, { message: 'must be a multiaddr such as /ip4/10.0.0.5/tcp/4001' })

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

export const consortiumSchema = z.object({
  consortium: z.string().min(1).max(200),
  members: z.array(z.object({
    peerId: peerIdString,
    name: z.string().max(200).optional(),
    addresses: z.array(multiaddrString).default([])
  }).strict()).min(3, 'a consortium needs at least 3 members (secure aggregation of 2 reveals each input to the other)').max(65_535),
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
  task: z.discriminatedUnion('type', [vectorSumTask, trainTask])
}).strict().superRefine((c, ctx) => {
  const seen = new Set<string>()
  c.members.forEach((m, i) => {
    if (seen.has(m.peerId)) ctx.addIssue({ code: 'custom', path: ['members', i, 'peerId'], message: `peer ${m.peerId} is listed twice` })
    seen.add(m.peerId)
  })
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

export function parseConsortium (bytes: Uint8Array, path: string): LoadedConsortium {
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch (err) {
    throw new ConsortiumFileError(`${path}: not valid JSON (${(err as Error).message})`)
  }
  const parsed = consortiumSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`)
    throw new ConsortiumFileError(`${path}: invalid consortium file\n${problems.join('\n')}`)
  }
  return { file: parsed.data, hash: createHash('sha256').update(bytes).digest(), path }
}

export function loadConsortium (path: string): LoadedConsortium {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new ConsortiumFileError(`cannot read the consortium file ${path}: ${(err as Error).message}`)
  }
  return parseConsortium(bytes, path)
}
