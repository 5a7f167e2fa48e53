/**
 * Splitting one labelled set across members, as federated-learning studies do: IID (a seeded
 * shuffle dealt out evenly) or non-IID by label skew — for each class, member shares drawn
 * from a symmetric Dirichlet(α) (Hsu, Qi & Brown 2019, "Measuring the Effects of Non-Identical
 * Data Distribution for Federated Visual Classification"). Small α: each member sees few
 * classes; large α: close to IID.
 */
import { randomFloat, seededRandom, shuffled } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'
import { DatasetError } from './image-set.ts'

export type PartitionSpec = { kind: 'iid' } | { kind: 'dirichlet', alpha: number }

export function parsePartition (text: string): PartitionSpec {
  if (text === 'iid') return { kind: 'iid' }
  const m = /^dirichlet:(.+)$/.exec(text)
  if (m !== null) {
    const alpha = Number(m[1])
    if (Number.isFinite(alpha) && alpha > 0 && alpha <= 1e6) return { kind: 'dirichlet', alpha }
  }
  throw new DatasetError(`partition must be 'iid' or 'dirichlet:ALPHA' with ALPHA > 0 (e.g. dirichlet:0.5), got '${text}'`)
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape)). */
function gamma (rng: RandomSource, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - randomFloat(rng), 1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = Math.sqrt(-2 * Math.log(1 - randomFloat(rng))) * Math.cos(2 * Math.PI * randomFloat(rng))
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = 1 - randomFloat(rng)
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** Indices of each member's images. Every image goes to exactly one member. */
export function partitionIndices (labels: Int32Array, members: number, spec: PartitionSpec, seed: string): number[][] {
  if (!Number.isInteger(members) || members < 1) throw new DatasetError(`cannot partition among ${members} members`)
  if (labels.length < members) throw new DatasetError(`${labels.length} images cannot be split among ${members} members`)
  const rng = seededRandom(`partition/${seed}`)
  const order = shuffled(rng, Array.from(labels.keys()))
  const parts: number[][] = Array.from({ length: members }, () => [])
  if (spec.kind === 'iid') {
    order.forEach((k, i) => parts[i % members]!.push(k))
    return parts
  }
  const byClass = new Map<number, number[]>()
  for (const k of order) {
    const list = byClass.get(labels[k]!) ?? []
    list.push(k)
    byClass.set(labels[k]!, list)
  }
  for (const [, items] of [...byClass].sort((a, b) => a[0] - b[0])) {
    const shares = Array.from({ length: members }, () => gamma(rng, spec.alpha))
    const total = shares.reduce((a, b) => a + b, 0)
    let start = 0
    let cumulative = 0
    shares.forEach((s, m) => {
      cumulative += s / total
      const end = m === members - 1 ? items.length : Math.round(cumulative * items.length)
      parts[m]!.push(...items.slice(start, end))
      start = end
    })
  }
  // A member left with nothing could not train; give it a few images from the largest part.
  for (const part of parts) {
    if (part.length > 0) continue
    const largest = parts.reduce((a, b) => (b.length > a.length ? b : a))
    part.push(...largest.splice(0, Math.max(1, Math.floor(largest.length / (2 * members)))))
  }
  return parts
}
