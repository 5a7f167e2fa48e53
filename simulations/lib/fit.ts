/**
 * Growth exponents: a power law y = a · x^b fitted by ordinary least squares on (ln x, ln y),
 * so b is the slope on a log–log chart (b ≈ 1 linear in n, ≈ 2 quadratic).
 */

export interface PowerLawFit {
  /** b in y = a · x^b. */
  readonly exponent: number
  /** a in y = a · x^b. */
  readonly coefficient: number
  /** Coefficient of determination of the log–log line (1: the points lie on it). */
  readonly r2: number
  readonly points: number
}

export class FitError extends Error {
  static override name = 'FitError'
  override name = 'FitError'
}

export function fitPowerLaw (points: ReadonlyArray<{ x: number, y: number }>): PowerLawFit {
  const usable = points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y))
  if (usable.length < 2) throw new FitError(`a power-law fit needs at least two points with x > 0 and y > 0, got ${usable.length}`)
  const lx = usable.map((p) => Math.log(p.x))
  const ly = usable.map((p) => Math.log(p.y))
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length
  const mx = mean(lx)
  const my = mean(ly)
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < lx.length; i++) {
    sxx += (lx[i]! - mx) ** 2
    sxy += (lx[i]! - mx) * (ly[i]! - my)
    syy += (ly[i]! - my) ** 2
  }
  if (sxx === 0) throw new FitError('a power-law fit needs at least two different x values')
  const exponent = sxy / sxx
  const intercept = my - exponent * mx
  let residual = 0
  for (let i = 0; i < lx.length; i++) residual += (ly[i]! - intercept - exponent * lx[i]!) ** 2
  return { exponent, coefficient: Math.exp(intercept), r2: syy === 0 ? 1 : 1 - residual / syy, points: usable.length }
}

/** The fitted curve at `x`, for drawing the line next to the measured points. */
export function evaluateFit (fit: PowerLawFit, x: number): number {
  return fit.coefficient * x ** fit.exponent
}
