/**
 * A member's obfuscator, ready to use: its key (created on first use), its VAE for the image
 * size (trained on the member's own images on first use and stored in the member directory,
 * so later runs obfuscate exactly as this one), and the composition of the two
 * (src/train/obfuscation/obfuscator.ts). Shared by `secagg obfuscate` and the train task's
 * `dataset.obfuscate`. The key is never logged: only that one was created.
 */
import type { ImageSet } from '../../train/data/image-set.ts'
import { DEFAULT_VAE_EPOCHS, ImageObfuscator, trainObfuscationVae } from '../../train/obfuscation/obfuscator.ts'
import type { VaeTrainingPlan } from '../../train/obfuscation/obfuscator.ts'
import { loadObfuscationKey, loadObfuscationVae, saveObfuscationVae } from '../config/obfuscation-store.ts'
import type { Logger } from '../logger.ts'

export interface MemberObfuscatorOptions extends Omit<VaeTrainingPlan, 'latent'> {
  readonly logger?: Pick<Logger, 'info'>
  /** Called once before the VAE is trained (it is not when a stored one is loaded). */
  readonly onTrainingStart?: (epochs: number) => void
}

export async function memberObfuscator (dir: string, images: ImageSet, o: MemberObfuscatorOptions = {}): Promise<ImageObfuscator> {
  const { key, created } = loadObfuscationKey(dir)
  if (created) o.logger?.info('obfuscation-key-created', { file: 'obfuscation.key' })
  let vae = loadObfuscationVae(dir, images.height)
  if (vae === undefined) {
    const started = performance.now()
    o.onTrainingStart?.(o.epochs ?? DEFAULT_VAE_EPOCHS)
    vae = await trainObfuscationVae(key, images, o)
    saveObfuscationVae(dir, vae, images.labels.length)
    o.logger?.info('obfuscation-vae-trained', { size: images.height, images: images.labels.length, ms: Math.round(performance.now() - started) })
  } else {
    o.logger?.info('obfuscation-vae-loaded', { size: images.height })
  }
  return ImageObfuscator.of(key, vae)
}
