/**
 * Local training speed (issue 5): one epoch of the CNN on 1,000 real MNIST digits, batch 32,
 * on each TensorFlow.js backend available here, printed as ratios against the pure-JS CPU
 * backend measured in the same run. Also one whole simulated federated round (4 members,
 * 1,800 images each, secure aggregation of 27,562 parameters) to show where the time goes.
 */
import { initBackend, tf } from '../src/train/backend.ts'
import type { BackendName } from '../src/train/backend.ts'
import { subset } from '../src/train/data/image-set.ts'
import { loadMnist } from '../src/train/data/mnist.ts'
import { trainLocal } from '../src/train/local-train.ts'
import { buildModel, initialWeights } from '../src/train/model.ts'
import { runTrainingSimulation } from '../src/sim/federated-training.ts'
import { fmt, printSection } from './harness.ts'

async function epochSeconds (backend: BackendName, images: number): Promise<number> {
  await initBackend({ prefer: backend })
  const data = subset(loadMnist(), Array.from({ length: images }, (_, i) => (i * 7919) % 10_000))
  const model = buildModel('cnn', data, 10)
  const weights = initialWeights(model, 'bench')
  await trainLocal(model, weights, subset(data, Array.from({ length: 64 }, (_, i) => i)), { epochs: 1, batchSize: 32, learningRate: 1e-3, seed: 'warm' })
  const t = performance.now()
  await trainLocal(model, weights, data, { epochs: 1, batchSize: 32, learningRate: 1e-3, seed: 'bench' })
  const s = (performance.now() - t) / 1000
  model.dispose()
  return s
}

export async function benchTrain (): Promise<void> {
  const images = 1_000
  const cpu = await epochSeconds('cpu', images)
  const rows = [{ name: 'cpu (pure JS), the limit', value: `${fmt(cpu, 2)} s / epoch`, note: `${fmt(images / cpu, 0)} images/s` }]
  for (const backend of ['wasm', 'tensorflow'] as const) {
    let s: number
    try {
      s = await epochSeconds(backend, images)
    } catch (err) {
      rows.push({ name: backend, value: 'not available', note: (err as Error).message })
      continue
    }
    rows.push({ name: backend === 'wasm' ? 'wasm + our Conv2DBackpropFilter' : 'tensorflow (tfjs-node)', value: `${fmt(s, 2)} s / epoch`, note: `${fmt(cpu / s, 1)}× faster than cpu; ${fmt(images / s, 0)} images/s` })
  }
  printSection(`train: one CNN epoch on ${images.toLocaleString('en')} MNIST digits (28×28, batch 32)`, rows)
  await initBackend()
  const t = performance.now()
  const report = await runTrainingSimulation({ dataset: { kind: 'mnist' }, peers: 4, rounds: 1, partition: { kind: 'iid' }, seed: 'bench' })
  const total = (performance.now() - t) / 1000
  const round = report.rounds[0]!
  printSection('train: one simulated federated round (MNIST, 4 members × 1,800 images, 1 epoch, secure aggregation)', [
    { name: 'whole round incl. data loading', value: `${fmt(total, 1)} s`, note: `backend ${report.backend}, ${report.parameters.toLocaleString('en')} parameters` },
    { name: 'test accuracy after round 0', value: `${fmt(100 * round.test.accuracy, 2)}%` }
  ])
  tf.disposeVariables()
}
