/**
 * One data set through the evaluation of Popescu et al. (Applied Sciences 12(8), 2022):
 * utility (the classifier on originals vs on obfuscated images), security against human
 * perception (SSIM and PSNR of the obfuscated images against the originals) and against an
 * AI reconstruction attack in their two configurations, plus a third that bounds them:
 *
 * - `algorithm`: the attacker knows only the algorithm. It runs it on its own images — its
 *   own VAE, its own keys — and trains the reconstruction net on those pairs.
 * - `other-key`: the attacker also has (original, obfuscated) pairs from the victim's own
 *   installation (its VAE) made with another key.
 * - `same-key` (not in the paper): pairs made with the victim's own key — what the
 *   obfuscation does not protect against, measured so the docs can say how badly.
 *
 * Every attack is scored on the victim's held-out images, which no attacker trained on.
 */
import { seededRandom } from '../../src/crypto/index.ts'
import { subset } from '../../src/train/data/image-set.ts'
import type { ImageSet } from '../../src/train/data/image-set.ts'
import { seededOrder } from '../../src/train/data/image-set.ts'
import { loadMnist } from '../../src/train/data/mnist.ts'
import { generateSyntheticCxr } from '../../src/train/data/synthetic-cxr.ts'
import { meanQuality } from '../../src/train/eval/image-quality.ts'
import { distinctOutputs, drawIntensityMap } from '../../src/train/obfuscation/intensity-map.ts'
import { ObfuscationKey } from '../../src/train/obfuscation/obfuscation-key.ts'
import { ImageObfuscator, trainObfuscationVae } from '../../src/train/obfuscation/obfuscator.ts'
import { trainAndAttack } from './obfuscation-attacker.ts'
import type { ObfuscationDatasetName, ObfuscationPlan } from './obfuscation-plan.ts'
import { classifierUtility } from './obfuscation-utility.ts'
import type { Utility } from './obfuscation-utility.ts'

export type AttackName = 'algorithm' | 'other-key' | 'same-key'

export interface Similarity { ssim: number, psnr: number }

export interface DatasetResult {
  dataset: ObfuscationDatasetName
  size: number
  images: { victimTrain: number, heldOut: number, attacker: number }
  /** Distinct output levels of the victim's map (of 256 inputs). */
  distinctLevels: number
  original: Utility
  /** Trained and tested on the VAE's re-rendering alone (no map): which half costs the utility. */
  vaeOnly: Utility
  obfuscated: Utility
  /** Obfuscated held-out images against their originals. */
  obfuscatedVsOriginal: Similarity
  /** The VAE's re-rendering alone (before the map) against the originals: what the map adds. */
  vaeOnlyVsOriginal: Similarity
  attacks: Record<AttackName, Similarity>
  /**
   * The baseline an attack must beat: the mean of the attacker's own originals, guessed for
   * every held-out image. An attack that scores no better recovered the data set, not the image.
   */
  meanImageGuess: Similarity
  elapsedMs: number
}

/** What the grid shows: a few held-out originals and what became of them. */
export interface DatasetSamples {
  dataset: ObfuscationDatasetName
  size: number
  original: Float32Array
  obfuscated: Float32Array
  attacks: Record<AttackName, Float32Array>
}

function loadDataset (name: ObfuscationDatasetName, images: number): ImageSet {
  const all = name === 'mnist' ? loadMnist() : generateSyntheticCxr({ count: images, size: 32, seed: 'obfuscation-study' })
  return subset(all, seededOrder(all.labels.length, `obfuscation-study/${name}`).slice(0, images))
}

const similarity = (originals: ImageSet, others: Float32Array): Similarity => {
  const q = meanQuality(originals.pixels, others, originals.width, originals.height)
  return { ssim: q.ssim, psnr: q.psnr }
}

const key = (label: string): ObfuscationKey => ObfuscationKey.generate(seededRandom(`obfuscation-study/key/${label}`))

export async function measureDataset (name: ObfuscationDatasetName, plan: ObfuscationPlan, note: (text: string) => void, sampleCount = 4): Promise<{ result: DatasetResult, samples: DatasetSamples }> {
  const started = performance.now()
  const all = loadDataset(name, plan.images)
  const n = all.labels.length
  const cutTrain = Math.round(n * 0.6)
  const cutTest = Math.round(n * 0.8)
  const victimTrain = subset(all, Array.from({ length: cutTrain }, (_, i) => i))
  const heldOut = subset(all, Array.from({ length: cutTest - cutTrain }, (_, i) => cutTrain + i))
  const attackerOwn = subset(all, Array.from({ length: n - cutTest }, (_, i) => cutTest + i))
  const size = all.height
  const vaePlan = { epochs: plan.vaeEpochs }

  note(`${name}: training the victim's VAE`)
  const victimKey = key(`${name}/victim`)
  const victimVae = await trainObfuscationVae(victimKey, victimTrain, vaePlan)
  const victim = ImageObfuscator.of(victimKey, victimVae)
  const obfTrain = victim.obfuscate(victimTrain)
  const obfHeldOut = victim.obfuscate(heldOut)
  const vaeOnly = (set: ImageSet): ImageSet => ({ ...set, pixels: victimVae.reconstruct(set) })

  note(`${name}: classifiers on originals and on obfuscated images`)
  const original = await classifierUtility(victimTrain, heldOut, { epochs: plan.classifierEpochs, seed: `${name}/classifier` })
  const obfuscated = await classifierUtility(obfTrain, obfHeldOut, { epochs: plan.classifierEpochs, seed: `${name}/classifier` })
  const vaeOnlyUtility = await classifierUtility(vaeOnly(victimTrain), vaeOnly(heldOut), { epochs: plan.classifierEpochs, seed: `${name}/classifier` })

  const attack = async (label: AttackName, inputs: ImageSet, made: Float32Array): Promise<Float32Array> => {
    note(`${name}: attack, ${label}`)
    return await trainAndAttack({ size, obfuscated: made, originals: inputs.pixels }, obfHeldOut.pixels, { epochs: plan.attackerEpochs, seed: `${name}/${label}` })
  }
  // Algorithm only: the attacker's own VAE (its first key) and maps, on its own images.
  const attackerKeys = Array.from({ length: plan.attackerKeys }, (_, i) => key(`${name}/attacker-${i}`))
  note(`${name}: training the attacker's own VAE`)
  const attackerVae = await trainObfuscationVae(attackerKeys[0]!, attackerOwn, vaePlan)
  const ownInputs = attackerKeys.map(() => attackerOwn)
  const ownMade = attackerKeys.map((k) => ImageObfuscator.of(k, attackerVae).obfuscate(attackerOwn).pixels)
  const algorithm = await attack('algorithm', concatSets(ownInputs), concat(ownMade))
  attackerVae.dispose()
  // Another key on the victim's installation: the victim's VAE, another map.
  const otherKey = await attack('other-key', attackerOwn, ImageObfuscator.of(key(`${name}/other`), victimVae).obfuscate(attackerOwn).pixels)
  const sameKey = await attack('same-key', attackerOwn, victim.obfuscate(attackerOwn).pixels)

  const result: DatasetResult = {
    dataset: name,
    size,
    images: { victimTrain: victimTrain.labels.length, heldOut: heldOut.labels.length, attacker: attackerOwn.labels.length },
    distinctLevels: distinctOutputs(drawIntensityMap(victimKey.stream('intensity-map'))),
    original,
    vaeOnly: vaeOnlyUtility,
    obfuscated,
    obfuscatedVsOriginal: similarity(heldOut, obfHeldOut.pixels),
    vaeOnlyVsOriginal: similarity(heldOut, vaeOnly(heldOut).pixels),
    attacks: { algorithm: similarity(heldOut, algorithm), 'other-key': similarity(heldOut, otherKey), 'same-key': similarity(heldOut, sameKey) },
    meanImageGuess: similarity(heldOut, repeatMean(attackerOwn, heldOut.labels.length)),
    elapsedMs: Math.round(performance.now() - started)
  }
  victimVae.dispose()
  const first = (values: Float32Array): Float32Array => values.slice(0, sampleCount * size * size)
  const samples: DatasetSamples = {
    dataset: name,
    size,
    original: first(heldOut.pixels),
    obfuscated: first(obfHeldOut.pixels),
    attacks: { algorithm: first(algorithm), 'other-key': first(otherKey), 'same-key': first(sameKey) }
  }
  return { result, samples }
}

/** The mean image of `set`, repeated `count` times. */
function repeatMean (set: ImageSet, count: number): Float32Array {
  const pixels = set.height * set.width
  const mean = new Float32Array(pixels)
  for (let i = 0; i < set.pixels.length; i++) mean[i % pixels]! += set.pixels[i]! / set.labels.length
  return concat(Array.from({ length: count }, () => mean))
}

function concat (parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

function concatSets (sets: readonly ImageSet[]): ImageSet {
  return { ...sets[0]!, pixels: concat(sets.map((s) => s.pixels)), labels: Int32Array.from(sets.flatMap((s) => [...s.labels])) }
}
