/**
 * Image folders in the ImageFolder layout (`root/<class>/<file>`, torchvision's convention):
 * PNG and JPEG decoded with sharp, DICOM with dicom-parser (dicom.ts), every image converted
 * to greyscale, resized to the model input and scaled to [0, 1]. Classes are the sorted
 * sub-folder names. A file that cannot be read is reported by path and skipped — or, with
 * `strict`, refuses the whole folder before any training starts. Never a crash halfway.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import sharp from 'sharp'
import { decodeDicom } from './dicom.ts'
import type { GreyImage } from './dicom.ts'
import { DatasetError } from './image-set.ts'
import type { ImageSet } from './image-set.ts'

const RASTER = new Set(['.png', '.jpg', '.jpeg'])
const DICOM = new Set(['.dcm', '.dicom'])

export interface ImageFolderOptions {
  /** Side of the square model input (default 64). */
  readonly size?: number
  readonly strict?: boolean
  readonly signal?: AbortSignal
}

export interface LoadedFolder {
  readonly set: ImageSet
  /** Per image of `set`, in order: where it came from, `<class>/<file>` under the root. */
  readonly sources: readonly string[]
  readonly skipped: Array<{ path: string, why: string }>
}

function isDicomBytes (bytes: Uint8Array): boolean {
  return bytes.length > 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d // "DICM"
}

/** Bilinear resampling of a grey image to size × size (pixel centres aligned). */
export function resizeGrey (img: GreyImage, size: number): Float32Array {
  const out = new Float32Array(size * size)
  const sy = img.height / size
  const sx = img.width / size
  for (let i = 0; i < size; i++) {
    const y = Math.min(img.height - 1, Math.max(0, (i + 0.5) * sy - 0.5))
    const y0 = Math.floor(y); const y1 = Math.min(img.height - 1, y0 + 1); const fy = y - y0
    for (let j = 0; j < size; j++) {
      const x = Math.min(img.width - 1, Math.max(0, (j + 0.5) * sx - 0.5))
      const x0 = Math.floor(x); const x1 = Math.min(img.width - 1, x0 + 1); const fx = x - x0
      const v = img.values
      out[i * size + j] = (1 - fy) * ((1 - fx) * v[y0 * img.width + x0]! + fx * v[y0 * img.width + x1]!) + fy * ((1 - fx) * v[y1 * img.width + x0]! + fx * v[y1 * img.width + x1]!)
    }
  }
  return out
}

async function decodeFile (path: string, size: number): Promise<Float32Array> {
  const bytes = readFileSync(path)
  if (DICOM.has(extname(path).toLowerCase()) || isDicomBytes(bytes)) return resizeGrey(decodeDicom(bytes, path), size)
  try {
    const raw = await sharp(bytes).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer()
    if (raw.length !== size * size) throw new Error(`decoded to ${raw.length} bytes, expected ${size * size}`)
    return Float32Array.from(raw, (b) => b / 255)
  } catch (err) {
    throw new DatasetError(`${path}: not a readable PNG/JPEG image (${(err as Error).message})`)
  }
}

export async function loadImageFolder (root: string, options: ImageFolderOptions = {}): Promise<LoadedFolder> {
  const size = options.size ?? 64
  let entries: string[]
  try {
    entries = readdirSync(root).filter((e) => statSync(join(root, e)).isDirectory()).sort()
  } catch (err) {
    throw new DatasetError(`cannot read the image folder ${root}: ${(err as Error).message}`)
  }
  if (entries.length < 2) throw new DatasetError(`${root}: expected one sub-folder per class (root/<class>/<image>), found ${entries.length}; a classifier needs at least 2 classes`)
  const files: Array<{ path: string, label: number }> = []
  entries.forEach((cls, label) => {
    for (const f of readdirSync(join(root, cls)).sort()) {
      const path = join(root, cls, f)
      if (!statSync(path).isFile() || f.startsWith('.')) continue
      const ext = extname(f).toLowerCase()
      if (RASTER.has(ext) || DICOM.has(ext) || ext === '') files.push({ path, label })
    }
  })
  const skipped: Array<{ path: string, why: string }> = []
  const pixels: Float32Array[] = []
  const labels: number[] = []
  const sources: string[] = []
  for (const { path, label } of files) {
    options.signal?.throwIfAborted()
    try {
      pixels.push(await decodeFile(path, size))
      labels.push(label)
      sources.push(relative(root, path))
    } catch (err) {
      const why = err instanceof DatasetError ? err.message : `${path}: ${(err as Error).message}`
      if (options.strict === true) throw new DatasetError(`${why} (strict mode: fix or remove the file)`)
      skipped.push({ path, why })
    }
  }
  if (pixels.length === 0) throw new DatasetError(`${root}: no readable images (${skipped.length} skipped)`)
  const all = new Float32Array(pixels.length * size * size)
  pixels.forEach((p, i) => all.set(p, i * size * size))
  return { set: { height: size, width: size, channels: 1, classes: entries, pixels: all, labels: Int32Array.from(labels) }, sources, skipped }
}
