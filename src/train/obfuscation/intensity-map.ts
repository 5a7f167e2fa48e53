/**
 * The random, non-bijective pixel-intensity map of Popescu et al. (Applied Sciences 12(8),
 * 2022): each of the 256 grey levels is sent to a level drawn at random from fewer output
 * levels, independently per input level. Independent draws scatter neighbouring intensities
 * to unrelated values, so smooth anatomy turns into texture; fewer outputs than inputs force
 * collisions (pigeonhole: at least 256 − outputs input levels share an output with another),
 * so even the key holder cannot invert the map exactly — an attacker who learns it still
 * cannot tell the levels of a collision apart.
 */
import { randomInt } from '../../crypto/index.ts'
import type { RandomSource } from '../../crypto/index.ts'

/** 8-bit grey levels: what PNG, JPEG and windowed DICOM images hold. */
export const INPUT_LEVELS = 256

/** Default number of output levels: half the inputs, so every map has ≥ 128 collisions. */
export const DEFAULT_OUTPUT_LEVELS = 128

export class IntensityMapError extends Error {
  static override name = 'IntensityMapError'
  override name = 'IntensityMapError'
}

/** table[level] is the output value in [0, 1] of input level `level` (0..255). */
export type IntensityTable = Float32Array

export function drawIntensityMap (rng: RandomSource, outputLevels = DEFAULT_OUTPUT_LEVELS): IntensityTable {
  if (!Number.isInteger(outputLevels) || outputLevels < 2 || outputLevels >= INPUT_LEVELS) {
    throw new IntensityMapError(`output levels must be an integer in [2, ${INPUT_LEVELS - 1}] (fewer than the ${INPUT_LEVELS} inputs, so the map cannot be a bijection), got ${outputLevels}`)
  }
  const table = new Float32Array(INPUT_LEVELS)
  for (let level = 0; level < INPUT_LEVELS; level++) table[level] = randomInt(rng, outputLevels) / (outputLevels - 1)
  return table
}

/** The grey level (0..255) of a value in [0, 1]; values outside are clamped. */
export function quantizeLevel (value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * (INPUT_LEVELS - 1))
}

/** Applies the map to every value (each quantized to its 8-bit level first). */
export function applyIntensityMap (table: IntensityTable, values: Float32Array): Float32Array {
  const out = new Float32Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = table[quantizeLevel(values[i]!)]!
  return out
}

/** How many distinct output values the map produces (< INPUT_LEVELS: it collides). */
export function distinctOutputs (table: IntensityTable): number {
  return new Set(table).size
}
