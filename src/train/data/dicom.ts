/**
 * DICOM (PS3.10 files) to grey levels in [0, 1], as a radiologist's viewer would show them:
 * stored values → modality values through Rescale Slope/Intercept (0028,1053/1052), then the
 * Window Center/Width (0028,1050/1051) VOI window (PS3.3 C.11.2.1.2, linear function), or
 * min–max when the file has no window; MONOCHROME1 (white = low) inverted. Only
 * uncompressed single-sample images; anything else is refused with a message naming it.
 */
import dicomParser from 'dicom-parser'
import { DatasetError } from './image-set.ts'

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'])

export interface GreyImage { readonly width: number, readonly height: number, readonly values: Float32Array }

function firstNumber (text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const v = Number(text.split('\\')[0])
  return Number.isFinite(v) ? v : undefined
}

export function decodeDicom (bytes: Uint8Array, path: string): GreyImage {
  let ds: dicomParser.DataSet
  try {
    ds = dicomParser.parseDicom(bytes)
  } catch (err) {
    throw new DatasetError(`${path}: not a readable DICOM file (${err instanceof Error ? err.message : String(err)})`)
  }
  const syntax = ds.string('x00020010')?.trim()
  if (syntax !== undefined && !UNCOMPRESSED.has(syntax)) throw new DatasetError(`${path}: compressed DICOM transfer syntax ${syntax} is not supported; decompress it first (e.g. dcmdjpeg or gdcmconv --raw)`)
  const rows = ds.uint16('x00280010')
  const columns = ds.uint16('x00280011')
  const bits = ds.uint16('x00280100')
  const samples = ds.uint16('x00280002') ?? 1
  const signed = ds.uint16('x00280103') === 1
  const photometric = ds.string('x00280004')?.trim() ?? 'MONOCHROME2'
  const pixel = ds.elements.x7fe00010
  if (rows === undefined || columns === undefined || bits === undefined || pixel === undefined) throw new DatasetError(`${path}: DICOM file without image pixel data (rows, columns, bits allocated or pixel data missing)`)
  if (samples !== 1 || !photometric.startsWith('MONOCHROME')) throw new DatasetError(`${path}: ${photometric} DICOM with ${samples} samples per pixel; only greyscale (MONOCHROME1/2) images are supported`)
  if (bits !== 8 && bits !== 16) throw new DatasetError(`${path}: ${bits} bits allocated per pixel; only 8 and 16 are supported`)
  const count = rows * columns
  if (pixel.length < count * (bits / 8)) throw new DatasetError(`${path}: pixel data holds ${pixel.length} bytes, ${rows}×${columns}×${bits / 8} expected`)
  const view = new DataView(bytes.buffer, bytes.byteOffset + pixel.dataOffset, count * (bits / 8))
  const slope = firstNumber(ds.string('x00281053')) ?? 1
  const intercept = firstNumber(ds.string('x00281052')) ?? 0
  const values = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    const stored = bits === 8 ? (signed ? view.getInt8(i) : view.getUint8(i)) : (signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true))
    values[i] = stored * slope + intercept
  }
  const centre = firstNumber(ds.string('x00281050'))
  const width = firstNumber(ds.string('x00281051'))
  let lo: number
  let hi: number
  if (centre !== undefined && width !== undefined && width >= 1) {
    // PS3.3 C.11.2.1.2.1: below c − 0.5 − (w−1)/2 → min, above c − 0.5 + (w−1)/2 → max.
    lo = centre - 0.5 - (width - 1) / 2
    hi = centre - 0.5 + (width - 1) / 2
  } else {
    lo = Infinity; hi = -Infinity
    for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v }
  }
  const span = hi > lo ? hi - lo : 1
  for (let i = 0; i < count; i++) {
    let g = Math.min(1, Math.max(0, (values[i]! - lo) / span))
    if (photometric === 'MONOCHROME1') g = 1 - g
    values[i] = g
  }
  return { width: columns, height: rows, values }
}
