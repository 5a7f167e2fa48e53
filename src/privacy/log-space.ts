/**
 * Log-space arithmetic and log erfc for the RDP accountant: the subsampled-Gaussian series
 * add and subtract terms as small as e^-700, so they are kept as logarithms throughout (as in
 * TensorFlow Privacy's rdp_accountant and Mironov, Talwar, Zhang 2019, §3.3).
 */

/** log(e^a + e^b). */
export function logAdd (a: number, b: number): number {
  const lo = Math.min(a, b)
  const hi = Math.max(a, b)
  if (lo === -Infinity) return hi
  return Math.log1p(Math.exp(lo - hi)) + hi
}

/** log(e^a − e^b) for a ≥ b. */
export function logSub (a: number, b: number): number {
  if (a < b) throw new RangeError(`log-space subtraction would be negative (${a} < ${b})`)
  if (b === -Infinity) return a
  if (a === b) return -Infinity
  const d = Math.expm1(a - b)
  return d === Infinity ? a : Math.log(d) + b
}

/** erf by its Maclaurin series: accurate to ~1e-15 for |x| ≤ 2.5 (the terms peak near 20). */
function erfSeries (x: number): number {
  const x2 = x * x
  let term = x
  let sum = x
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n
    const add = term / (2 * n + 1)
    sum += add
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}

/**
 * log(√π · e^{x²} · erfc(x)) for x ≥ 2.5 by the continued fraction
 * erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
 */
function logScaledErfcTail (x: number): number {
  let f = x
  for (let n = 160; n >= 1; n--) f = x + (n / 2) / f
  return -Math.log(f)
}

/** log(erfc(x)) for every real x, accurate far into the tail (where erfc underflows). */
export function logErfc (x: number): number {
  if (x >= 2.5) return -x * x - 0.5 * Math.log(Math.PI) + logScaledErfcTail(x)
  if (x > -2.5) return Math.log1p(-erfSeries(x))
  // erfc(x) = 2 − erfc(−x), with erfc(−x) tiny.
  return Math.log(2 - Math.exp(logErfc(-x)))
}
