/**
 * Federated averaging (McMahan et al. 2017): the new global model is the old one plus the
 * sample-weighted mean of the members' updates. With secure aggregation the mean comes from
 * the unmasked sum Σ w·clip(u) and Σ w; the plain baseline computes the same quantity in the
 * clear, with the same clipping, so the two differ only by quantization.
 */
export function applyMeanUpdate (global: Float32Array, weightedSum: ArrayLike<number>, weightSum: number): Float32Array {
  if (weightedSum.length !== global.length) throw new RangeError(`aggregated update has ${weightedSum.length} values, the model ${global.length}`)
  if (!(weightSum > 0)) throw new RangeError(`weight sum must be positive, got ${weightSum}`)
  const next = new Float32Array(global.length)
  for (let i = 0; i < global.length; i++) next[i] = global[i]! + weightedSum[i]! / weightSum
  return next
}

/** Σ w·clip(u, ±c) in float64: the plain (unmasked) counterpart of the secure sum. */
export function plainWeightedSum (updates: ReadonlyArray<ArrayLike<number>>, weights: readonly number[], clip: number): Float64Array {
  const sum = new Float64Array(updates[0]?.length ?? 0)
  updates.forEach((u, m) => {
    const w = weights[m]!
    for (let i = 0; i < sum.length; i++) sum[i]! += w * Math.min(clip, Math.max(-clip, u[i]!))
  })
  return sum
}
