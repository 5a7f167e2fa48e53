/**
 * Per-member L2 clipping of the update (the flattened model delta), as in DP-FedAvg (McMahan,
 * Ramage, Talwar, Zhang 2018): an update longer than C is scaled down to length C, so one
 * member's contribution to the sum moves it by at most C — the sensitivity the noise is
 * calibrated to.
 */
export interface ClippedUpdate {
  readonly update: Float64Array
  /** The L2 norm before clipping (local only: never logged with the member's identity). */
  readonly norm: number
  readonly clipped: boolean
}

export function clipL2 (update: ArrayLike<number>, clip: number): ClippedUpdate {
  if (!(clip > 0) || !Number.isFinite(clip)) throw new RangeError(`L2 clip must be a positive finite number, got ${clip}`)
  let sq = 0
  for (let i = 0; i < update.length; i++) {
    const v = update[i]!
    if (!Number.isFinite(v)) throw new RangeError(`update coordinate ${i} is ${v}; only finite updates can be clipped`)
    sq += v * v
  }
  const norm = Math.sqrt(sq)
  const factor = norm > clip ? clip / norm : 1
  const out = new Float64Array(update.length)
  for (let i = 0; i < update.length; i++) out[i] = update[i]! * factor
  return { update: out, norm, clipped: factor < 1 }
}
