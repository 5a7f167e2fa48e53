/**
 * The Shamir threshold t against an active aggregator (docs/PROTOCOL.md, "The threshold
 * rule"). The aggregator is itself a member, so it holds one share of each of its
 * neighbours' secrets, and it colludes with at most c other members (maxCorrupt).
 *
 * Take an honest member v with k shareholders (its neighbours, never itself), X of them
 * corrupt. An aggregator that shows different survivor lists U3 to different honest holders
 * can ask some of them for v's self-mask share (v ∈ U3) and the others for v's masking-key
 * share (v ∉ U3); each honest holder releases one kind only. It rebuilds both secrets iff
 *   (t − X) + (t − X) ≤ k − X,   i.e.   2t ≤ k + X.
 * So the session is safe iff 2t > k + X_max, the smallest safe t being ⌊(k + X_max)/2⌋ + 1.
 * Complete graph: k = n − 1 and X_max = c + 1 (aggregator + colluders), giving 2t > n + c.
 * SecAgg+ (Bell et al., CCS 2020): X_max is the hypergeometric bound of graph-parameters.ts
 * (exceeded with probability < 2^−41), which is fcp's semi-malicious threshold.
 *
 * A participant also needs ≥ t live holders other than itself, so t ≤ k, and no sum over
 * fewer than c + 3 members (never fewer than 3) is unmasked: with the aggregator and c
 * colluders in U3, that leaves at least two honest inputs in every revealed sum.
 */
import { ProtocolConfigError } from './errors.ts'
import { corruptNeighbourBound, findGraphParameters } from './graph-parameters.ts'

export interface ThresholdOptions {
  readonly peers: number
  /** c: corrupt members tolerated besides the aggregator. */
  readonly maxCorrupt: number
  /** SecAgg+ degree k, or 'complete'. */
  readonly neighbours: number | 'complete'
}

/** The default c: fewer than a third of the members, the usual Byzantine bound. */
export function defaultMaxCorrupt (peers: number): number {
  return Math.max(0, Math.floor((peers - 1) / 3))
}

/** Each member's shareholders: its neighbours, never itself. */
export function shareholderCount (peers: number, neighbours: number | 'complete'): number {
  return neighbours === 'complete' || neighbours >= peers - 1 ? peers - 1 : neighbours
}

/** X_max: corrupt shareholders of one member, the aggregator counted (see above). */
export function corruptShareholders (options: ThresholdOptions): number {
  const { peers, maxCorrupt } = options
  const k = shareholderCount(peers, options.neighbours)
  const corrupt = Math.min(maxCorrupt + 1, peers - 1)
  return k === peers - 1 ? Math.min(corrupt, k) : corruptNeighbourBound(peers, corrupt, k)
}

/** The smallest t with 2t > k + X_max (and t ≥ 2). */
export function minimumSafeThreshold (options: ThresholdOptions): number {
  const k = shareholderCount(options.peers, options.neighbours)
  return Math.max(2, Math.floor((k + corruptShareholders(options)) / 2) + 1)
}

/**
 * Consistency signatures a participant needs over its exact U3 before it reveals shares:
 * Q > (n + c + 1)/2, so two different lists can never both gather Q signatures (their signer
 * sets would share an honest member, who signs one list only). All honest members that
 * reveal shares therefore saw the same U3. Without it, SecAgg+ is open to an aggregator that
 * shows each member a list dropping a few of its neighbours, signed by colluders alone
 * (c + 1 ≥ t), and collects b_v plus the masking keys of all of v's honest partners.
 * Never below t.
 */
export function consistencyQuorum (peers: number, maxCorrupt: number, threshold: number): number {
  return Math.max(threshold, Math.floor((peers + maxCorrupt + 1) / 2) + 1)
}

/** The fewest inputs a revealed sum may hold: c + 3, never fewer than 3. */
export function minimumSurvivors (maxCorrupt: number): number {
  return Math.max(3, maxCorrupt + 3)
}

/**
 * The fewest members (the aggregator's own participant included) whose masked inputs let a
 * round finish: t + 1 (every participant needs t shareholders besides itself), at least
 * c + 3 (minimumSurvivors) and at least the consistency quorum. A member that reaches fewer
 * waits instead of starting rounds that can only abort.
 */
export function membersForRound (peers: number, maxCorrupt: number, threshold: number): number {
  return Math.max(threshold + 1, minimumSurvivors(maxCorrupt), consistencyQuorum(peers, maxCorrupt, threshold))
}

function checkCounts (options: ThresholdOptions): void {
  const { peers, maxCorrupt } = options
  if (!Number.isInteger(peers) || peers < 3) throw new ProtocolConfigError(`secure aggregation needs at least 3 members, got ${peers}`)
  if (!Number.isInteger(maxCorrupt) || maxCorrupt < 0) throw new ProtocolConfigError(`maxCorrupt must be a non-negative integer, got ${maxCorrupt}`)
  if (minimumSurvivors(maxCorrupt) > peers) {
    throw new ProtocolConfigError(`maxCorrupt c = ${maxCorrupt} needs sums over at least c + 3 = ${maxCorrupt + 3} members, but there are only ${peers}: lower maxCorrupt to ≤ ${peers - 3}`)
  }
}

/**
 * Refuses a threshold that is unsafe against c or unreachable, naming the numbers to change.
 */
export function assertSafeThreshold (options: ThresholdOptions & { readonly threshold: number }): void {
  checkCounts(options)
  const { peers, maxCorrupt, threshold } = options
  const k = shareholderCount(peers, options.neighbours)
  const graph = k === peers - 1 ? 'the complete graph' : `SecAgg+ degree k = ${k}`
  if (!Number.isInteger(threshold) || threshold < 2) throw new ProtocolConfigError(`threshold t must be an integer ≥ 2, got ${threshold}`)
  if (threshold > k) {
    throw new ProtocolConfigError(`threshold t = ${threshold} exceeds the ${k} shareholders each member has (${graph}, a member never holds its own shares): lower t or raise neighbours`)
  }
  const safe = minimumSafeThreshold(options)
  if (threshold < safe) {
    let tolerated = -1
    for (let c = maxCorrupt - 1; c >= 0; c--) if (minimumSafeThreshold({ ...options, maxCorrupt: c }) <= threshold) { tolerated = c; break }
    const lower = tolerated >= 0 ? `, or lower maxCorrupt to ${tolerated}` : ''
    throw new ProtocolConfigError(
      `threshold t = ${threshold} is unsafe against maxCorrupt c = ${maxCorrupt} with n = ${peers} members and ${graph}: an aggregator showing different ` +
      `survivor lists could collect both shares of a member unless 2t > k + X (k = ${k} shareholders, X = ${corruptShareholders(options)} of them corrupt). ` +
      `Raise the threshold to ≥ ${safe}${lower}`)
  }
  if (safe > k) throw new ProtocolConfigError(`no threshold is both safe and reachable for n = ${peers}, c = ${maxCorrupt} and ${graph}: lower maxCorrupt or raise neighbours`)
}

export interface GraphChoice {
  readonly neighbours: number | 'complete'
  readonly threshold: number
}

/**
 * The graph and threshold for n members and c corrupt: 'auto' runs the SecAgg+ parameter
 * finder (semi-malicious, corrupt fraction (c + 1)/n: the aggregator counts; at least one
 * dropout expected, so small swarms do not get a graph with no slack) and falls back
 * to the complete graph when no sparser graph is secure; a given degree or 'complete' gets
 * the smallest safe t. Throws ProtocolConfigError when nothing is safe.
 */
export function chooseGraph (options: { peers: number, maxCorrupt: number, neighbours: number | 'complete' | 'auto', dropoutRate?: number }): GraphChoice {
  const { peers, maxCorrupt } = options
  checkCounts({ peers, maxCorrupt, neighbours: 'complete' })
  let neighbours = options.neighbours
  if (neighbours === 'auto') {
    neighbours = 'complete'
    try {
      const p = findGraphParameters({ peers, dropoutRate: Math.max(options.dropoutRate ?? 0.05, 1 / peers), corruptRate: (maxCorrupt + 1) / peers, adversary: 'semi-malicious' })
      neighbours = p.degree
    } catch (err) {
      if (!(err instanceof ProtocolConfigError)) throw err
    }
  }
  if (neighbours !== 'complete' && neighbours >= peers - 1) neighbours = 'complete'
  const threshold = minimumSafeThreshold({ peers, maxCorrupt, neighbours })
  assertSafeThreshold({ peers, maxCorrupt, neighbours, threshold })
  return { neighbours, threshold }
}
