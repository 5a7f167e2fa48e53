/**
 * SecAgg+ parameter choice (Bell et al., CCS 2020, §3–4), computed the way fcp's
 * graph_parameter_finder does, so published points can be checked (n = 1,000 with 5% dropout
 * and 5% corrupt peers, semi-honest: k = 30, t = 17).
 *
 * For each even degree k from 2 upward, with A = ⌊γn⌋ corrupt peers and D = ⌊δn⌋ dropouts:
 * 1. Security of the graph: the honest surviving peers must stay connected. A Harary graph is
 *    cut only by k/2 consecutive bad peers in two places; a union bound over the
 *    n(n − k − 1)/2 place pairs gives Pr ≤ pairs · C(A+D, k)/C(n, k), required < 2^−41.
 * 2. Secrecy: with X ~ Hypergeometric(n, A, k) the number of corrupt neighbours,
 *    t1 = min{x : Pr[X > x] < 2^−41 / n} (no coalition holds t shares of anyone).
 *    Against a semi-malicious server t1 becomes ⌈(t1 + k − 1.25) / 2⌉.
 * 3. Correctness: with S ~ Hypergeometric(n, n − D, k) the number of surviving neighbours,
 *    t2 = min{x : Pr[S ≤ x] ≥ 2^−20 / n} (each peer keeps ≥ t live shareholders).
 * The first k with t1 < t2 wins, with t = max(t1 + 1, 2). The 2^−40 security budget is split
 * evenly over the two bad events, hence 41.
 */
import { ProtocolConfigError } from './errors.ts'

export type AdversaryModel = 'semi-honest' | 'semi-malicious'

export interface GraphParameterOptions {
  readonly peers: number
  readonly dropoutRate: number
  readonly corruptRate: number
  readonly adversary?: AdversaryModel
}

export interface GraphParameters {
  readonly degree: number
  readonly threshold: number
}

const SECURITY_BITS_PER_EVENT = 41
const CORRECTNESS_BITS = 20
const EPS = 1e-14 // keeps floating-point rounding from moving a bound in the insecure direction

function logFactorials (n: number): Float64Array {
  const table = new Float64Array(n + 1)
  for (let i = 2; i <= n; i++) table[i] = table[i - 1]! + Math.log(i)
  return table
}

/** Hypergeometric pmf table: draws `sampled` of `total`, `marked` of which count. */
function hypergeometricPmf (lf: Float64Array, total: number, marked: number, sampled: number): Float64Array {
  const pmf = new Float64Array(sampled + 1)
  const logC = (a: number, b: number): number => (b < 0 || b > a ? -Infinity : lf[a]! - lf[b]! - lf[a - b]!)
  const denominator = logC(total, sampled)
  for (let x = 0; x <= sampled; x++) pmf[x] = Math.exp(logC(marked, x) + logC(total - marked, sampled - x) - denominator)
  return pmf
}

function logProbDisconnected (lf: Float64Array, n: number, k: number, bad: number): number {
  if (k > bad) return -Infinity
  const logPairs = Math.log(n) + Math.log(n - k - 1) - Math.log(2)
  return logPairs + lf[bad]! + lf[n - k]! - lf[n]! - lf[bad - k]!
}

function corruptNeighbourBoundWith (lf: Float64Array, n: number, corrupt: number, k: number): number {
  const qSecurity = 2 ** -SECURITY_BITS_PER_EVENT / n
  const adv = hypergeometricPmf(lf, n, corrupt, k)
  let t1 = k // min x with Pr[X > x] < qSecurity
  let tail = 0
  for (let x = k; x >= 0; x--) {
    if (tail >= qSecurity) break
    t1 = x
    tail += adv[x]!
  }
  return t1
}

/**
 * t1 of step 2 above: with `corrupt` of the n members corrupt and a peer's k neighbours drawn
 * at random, the number of corrupt neighbours of any peer exceeds t1 with probability below
 * 2^−41 (union bound over the n peers).
 */
export function corruptNeighbourBound (peers: number, corrupt: number, degree: number): number {
  if (degree >= peers - 1) return Math.min(corrupt, peers - 1)
  return corruptNeighbourBoundWith(logFactorials(peers), peers, corrupt, degree)
}

/** The smallest (degree, threshold) meeting the bounds above, or a ProtocolConfigError. */
export function findGraphParameters (options: GraphParameterOptions): GraphParameters {
  const { peers: n, dropoutRate: delta, corruptRate: gamma } = options
  const adversary = options.adversary ?? 'semi-honest'
  if (!Number.isInteger(n) || n < 3) throw new ProtocolConfigError(`SecAgg+ needs at least 3 peers, got ${n}`)
  if (!(delta >= 0 && delta < 1)) throw new ProtocolConfigError(`dropout rate must be in [0, 1), got ${delta}`)
  if (!(gamma >= 0 && gamma < 1)) throw new ProtocolConfigError(`corrupt rate must be in [0, 1), got ${gamma}`)
  const budget = adversary === 'semi-malicious' ? gamma + 2 * delta : gamma + delta
  if (budget > 0.9) {
    throw new ProtocolConfigError(`${adversary === 'semi-malicious' ? 'corrupt + 2·dropout' : 'corrupt + dropout'} rate must be ≤ 0.9, got ${budget}`)
  }
  const lf = logFactorials(n)
  const corrupt = Math.floor((gamma + EPS) * n)
  const dropouts = Math.floor((delta + EPS) * n)
  const survivors = Math.ceil((1 - delta - EPS) * n)
  const securityLog = -SECURITY_BITS_PER_EVENT * Math.log(2)
  const qCorrectness = 2 ** -CORRECTNESS_BITS / n
  for (let k = 2; k < n - 1; k += 2) {
    if (logProbDisconnected(lf, n, k, corrupt + dropouts) >= securityLog) continue
    let t1 = corruptNeighbourBoundWith(lf, n, corrupt, k)
    const live = hypergeometricPmf(lf, n, survivors, k)
    let t2 = 0 // min x with Pr[S ≤ x] ≥ qCorrectness
    let cdf = 0
    for (let x = 0; x <= k; x++) {
      cdf += live[x]!
      t2 = x
      if (cdf >= qCorrectness) break
    }
    if (adversary === 'semi-malicious') t1 = Math.ceil((t1 + k - 1.25) / 2)
    if (t2 > t1) return { degree: k, threshold: Math.max(t1 + 1, 2) }
  }
  throw new ProtocolConfigError(`no SecAgg+ degree below n − 1 = ${n - 1} meets the bounds for ${n} peers; use the complete graph (--complete)`)
}
