/**
 * The Conv2DBackpropFilter kernel registered for the wasm backend: filter gradients equal
 * the CPU backend's to ~1e-5 across strides, paddings (including the asymmetric 'same'
 * padding of an even input with stride 2) and kernel sizes, and a CNN trains on wasm.
 */
import assert from 'node:assert/strict'
import { initBackend, tf } from '../../src/train/backend.ts'

type Case = { name: string, x: [number, number, number, number], f: [number, number, number, number], strides: number | [number, number], pad: 'same' | 'valid' | number }

const CASES: Case[] = [
  { name: '3×3, stride 1, valid', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: '3×3, stride 1, same', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '5×5, stride 2, same on an even size (asymmetric padding)', x: [3, 12, 10, 2], f: [5, 5, 2, 3], strides: 2, pad: 'same' },
  { name: '3×2, strides (2, 1), valid', x: [1, 11, 8, 4], f: [3, 2, 4, 5], strides: [2, 1], pad: 'valid' },
  { name: '1×1, stride 1', x: [4, 6, 6, 8], f: [1, 1, 8, 2], strides: 1, pad: 'valid' },
  { name: '3×3, explicit pad 1, stride 2', x: [2, 7, 7, 1], f: [3, 3, 1, 6], strides: 2, pad: 1 }
]

function filterGrad (c: Case, seed: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D
    const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1) as tf.Tensor4D
    const outShape = (tf.conv2d(x, f, c.strides, c.pad)).shape
    const w = tf.randomNormal(outShape, 0, 1, 'float32', seed + 2)
    const g = tf.grad((filter) => tf.sum(tf.mul(tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad), w)))(f)
    return g.dataSync() as Float32Array
  })
}

describe('train: wasm Conv2DBackpropFilter', function () {
  this.timeout(120_000)
  after(async () => { await tf.setBackend('cpu') })

  it('matches the CPU backend\'s filter gradients to ~1e-5', async () => {
    for (const [i, c] of CASES.entries()) {
      await initBackend({ prefer: 'cpu' })
      const expected = filterGrad(c, 100 + i)
      await initBackend({ prefer: 'wasm' })
      const actual = filterGrad(c, 100 + i)
      assert.equal(actual.length, expected.length, c.name)
      const scale = Math.max(1, ...Array.from(expected, Math.abs))
      let worst = 0
      for (let j = 0; j < expected.length; j++) worst = Math.max(worst, Math.abs(actual[j]! - expected[j]!) / scale)
      assert.ok(worst < 1e-5, `${c.name}: relative error ${worst}`)
    }
  })

  it('does not leak tensors, and a small CNN trains on wasm (loss falls)', async () => {
    await initBackend({ prefer: 'wasm' })
    const before = tf.memory().numTensors
    filterGrad(CASES[2]!, 7)
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind')
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', padding: 'same' }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' })
      ]
    })
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' })
    // A learnable task: bright top half vs bright bottom half.
    const labels = Array.from({ length: 64 }, (_, i) => i % 2)
    const xs = tf.tidy(() => tf.stack(labels.map((l) => tf.concat([tf.fill([6, 12, 1], l === 0 ? 1 : 0), tf.fill([6, 12, 1], l === 0 ? 0 : 1)], 0).add(tf.randomNormal([12, 12, 1], 0, 0.3, 'float32', 3)))))
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 2)
    const history = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0 })
    const losses = history.history.loss as number[]
    assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`)
    tf.dispose([xs, ys])
    model.dispose()
  })
})
