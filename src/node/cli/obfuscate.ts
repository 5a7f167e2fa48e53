/**
 * `secagg obfuscate --dir MEMBER --in DIR --out DIR`: an obfuscated copy of an image folder
 * (Popescu et al., Applied Sciences 12(8), 2022; src/train/obfuscation), for images that have
 * to leave the member. Every problem that can be seen before the work starts is refused
 * first, with one line naming it and the fix: no member directory, no input folder, an output
 * folder that is not empty, an unreadable image (the folder is read strictly). Output files are
 * created, never replaced.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { initBackend } from '../../train/backend.ts'
import { loadImageFolder } from '../../train/data/image-folder.ts'
import { IDENTITY_FILE } from '../config/identity.ts'
import { memberObfuscator } from '../task/member-obfuscation.ts'
import type { CliIo } from './main.ts'
import { intFlag } from './number-flags.ts'
import { parseFlags } from './parse-flags.ts'
import { progressDisplay } from './progress-display.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const OBFUSCATE_HELP = `Usage: secagg obfuscate --dir MEMBER --in DIR --out DIR [--image-size N] [--vae-epochs N] [--quiet]

Writes an obfuscated copy of the image folder DIR/<class>/<image> (PNG, JPEG, DICOM) as
PNG files OUT/<class>/<image>.png, for images that have to leave this member. Each image is
re-encoded by this member's variational autoencoder and its grey levels sent through this
member's random, non-bijective intensity map (Popescu et al. 2022; docs/PRIVACY.md, "Image
obfuscation", says what it does and does not protect against).

The map comes from MEMBER/obfuscation.key (created on first use, mode 0600; never logged).
The VAE is trained on the input images the first time and kept in MEMBER/obfuscation/, so
the same member obfuscates the same image the same way later.

  --dir MEMBER       the member directory (secagg init)
  --in DIR           the image folder, one sub-folder per class
  --out DIR          where the obfuscated copy goes: a new or empty directory
  --image-size N     side of the square output images (default 64; images are resized)
  --vae-epochs N     epochs of VAE training when the member has no VAE for this size (default 15)
  --quiet            no progress display
`

function isDirectory (path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory()
}

/** The refusals that need no image decoded: members, folders, the output's emptiness. */
function checkFolders (dir: string, input: string, out: string): void {
  if (!existsSync(join(dir, IDENTITY_FILE))) throw new UsageError(`--dir ${dir} is not a member directory (no ${IDENTITY_FILE}); run 'secagg init --dir ${dir}' first`)
  if (!isDirectory(input)) throw new UsageError(`--in ${input} is not a directory; give the image folder (one sub-folder per class)`)
  if (resolve(out) === resolve(input) || resolve(out).startsWith(resolve(input) + '/')) throw new UsageError(`--out ${out} is inside --in ${input}; pick an output directory outside the input folder`)
  if (existsSync(out) && !isDirectory(out)) throw new UsageError(`--out ${out} is a file; give a new or empty directory`)
  if (isDirectory(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out} is not empty; give a new or empty directory (obfuscate never overwrites files)`)
}

/** `<class>/<name>.png` per source; two sources with one output name are refused. */
function outputNames (sources: readonly string[]): string[] {
  const seen = new Map<string, string>()
  return sources.map((source) => {
    const name = source.slice(0, source.length - extname(source).length) + '.png'
    const other = seen.get(name)
    if (other !== undefined) throw new UsageError(`${other} and ${source} would both be written as ${name}; rename one of them`)
    seen.set(name, source)
    return name
  })
}

async function greyPng (values: Float32Array, size: number): Promise<Buffer> {
  const bytes = Uint8Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255))
  return await sharp(bytes, { raw: { width: size, height: size, channels: 1 } }).png().toBuffer()
}

export async function runObfuscateCommand (argv: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const { values } = parseFlags(argv, {
    dir: { type: 'string' }, in: { type: 'string' }, out: { type: 'string' }, 'image-size': { type: 'string' }, 'vae-epochs': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }
  }, 'obfuscate')
  if (values.help === true) { io.stdout(OBFUSCATE_HELP); return 0 }
  for (const flag of ['dir', 'in', 'out'] as const) if (values[flag] === undefined) throw new UsageError(`--${flag} is required. Run 'secagg obfuscate --help'.`)
  const dir = values.dir!
  const input = values.in!
  const out = values.out!
  const size = intFlag(values['image-size'], 'image-size', 8, 512) ?? 64
  const epochs = intFlag(values['vae-epochs'], 'vae-epochs', 1, 1000)
  checkFolders(dir, input, out)
  let loaded
  try {
    loaded = await loadImageFolder(input, { size, strict: true })
  } catch (err) {
    if (isErrorNamed(err, 'DatasetError')) throw new UsageError(err.message)
    throw err
  }
  const names = outputNames(loaded.sources)
  const progress = progressDisplay(io, { quiet: values.quiet === true, env })
  try {
    await initBackend()
    const obfuscator = await memberObfuscator(dir, loaded.set, {
      ...(epochs !== undefined ? { epochs } : {}),
      onTrainingStart: (total) => progress.stage('training the VAE', total, 'epochs'),
      onEpoch: (epoch) => progress.advance(epoch + 1)
    })
    const obfuscated = obfuscator.obfuscate(loaded.set)
    obfuscator.vae.dispose()
    progress.stage('writing', names.length, 'images')
    const pixels = size * size
    for (const [i, name] of names.entries()) {
      const path = join(out, name)
      mkdirSync(dirname(path), { recursive: true })
      // 'wx': a file that appeared since the check is kept, and this run stops.
      writeFileSync(path, await greyPng(obfuscated.pixels.subarray(i * pixels, (i + 1) * pixels), size), { flag: 'wx' })
      progress.advance(i + 1)
    }
  } finally {
    progress.end()
  }
  io.stdout(`obfuscated ${names.length} images into ${out} (${size}×${size} PNG; key ${join(dir, 'obfuscation.key')}, VAE ${join(dir, 'obfuscation', `vae-${size}.json`)})`)
  return 0
}
