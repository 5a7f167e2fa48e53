/** Numeric flag values: undefined when absent, a UsageError naming the flag and range when wrong. */
import { UsageError } from './usage-error.ts'

export function intFlag (value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got '${value}'`)
  return n
}

export function numFlag (value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got '${value}'`)
  return n
}
