/**
 * The obfuscation of Popescu et al. (Applied Sciences 12(8), 2022) as composed here: the
 * member's VAE re-encodes the image (decoded from the posterior mean), the result is
 * quantized to 8-bit grey levels, and the member's random non-bijective intensity map sends
 * each level to its output. In that order because the map must act last: run before the VAE,
 * the decoder's smoothing would blend the scattered levels back towards a continuous image,
 * and the output would no longer be confined to the map's few output levels; run after it, the
 * attacker faces both the VAE's information loss and the map's collisions.
 *
 * Both halves come from the member's key (obfuscation-key.ts): the map from its
 * 'intensity-map' stream, the VAE's initial weights, batch order and noise from theirs. Same
 * key, same images, same VAE: same output. What the paper does not fix and this file does is
 * listed in docs/PRIVACY.md ("Image obfuscation").
 */
import type { ImageSet } from '../data/image-set.ts'
import { applyIntensityMap, DEFAULT_OUTPUT_LEVELS, drawIntensityMap } from './intensity-map.ts'
import type { IntensityTable } from './intensity-map.ts'
import type { ObfuscationKey } from './obfuscation-key.ts'
import { DEFAULT_LATENT, ObfuscationVae } from './vae.ts'

export interface VaeTrainingPlan {
  readonly epochs?: number
  readonly latent?: number
  readonly signal?: AbortSignal
  readonly onEpoch?: (epoch: number, loss: number) => void
}

/** Epochs of VAE training when nobody says: enough for a smooth re-rendering of a few thousand images. */
export const DEFAULT_VAE_EPOCHS = 15

/** A VAE for `key`, trained on the member's own `images`. */
export async function trainObfuscationVae (key: ObfuscationKey, images: ImageSet, plan: VaeTrainingPlan = {}): Promise<ObfuscationVae> {
  const vae = ObfuscationVae.create({ size: images.height, latent: plan.latent ?? DEFAULT_LATENT }, key.seed('vae-initial-weights'))
  try {
    await vae.train(images, {
      epochs: plan.epochs ?? DEFAULT_VAE_EPOCHS,
      orderSeed: key.seed('vae-batch-order'),
      noise: key.stream('vae-noise'),
      ...(plan.signal !== undefined ? { signal: plan.signal } : {}),
      ...(plan.onEpoch !== undefined ? { onEpoch: plan.onEpoch } : {})
    })
  } catch (err) {
    vae.dispose()
    throw err
  }
  return vae
}

export class ImageObfuscator {
  private constructor (readonly vae: ObfuscationVae, private readonly table: IntensityTable) {}

  /** The member's obfuscator: its trained VAE and the intensity map drawn from its key. */
  static of (key: ObfuscationKey, vae: ObfuscationVae, outputLevels = DEFAULT_OUTPUT_LEVELS): ImageObfuscator {
    return new ImageObfuscator(vae, drawIntensityMap(key.stream('intensity-map'), outputLevels))
  }

  /** The same images, obfuscated (labels and classes unchanged). */
  obfuscate (set: ImageSet): ImageSet {
    return { ...set, pixels: applyIntensityMap(this.table, this.vae.reconstruct(set)) }
  }
}
