/**
 * Picks the fastest TensorFlow.js backend this machine has: tfjs-node (native libtensorflow)
 * when it is installed — it is an optionalDependency because its install script downloads
 * libtensorflow and fails offline — else the wasm backend with the Conv2DBackpropFilter
 * kernel it lacks registered from existing wasm ops, else the pure-JS CPU backend. Logs which
 * one runs, and keeps tfjs' "install the node backend" banner out of the output.
 */
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { registerWasmConv2DBackpropFilter } from './wasm-conv2d-backprop-filter.ts'

export type BackendName = 'tensorflow' | 'wasm' | 'cpu'

export interface TrainLogger { info (event: string, fields?: Record<string, unknown>): void }

export class BackendUnavailableError extends Error {
  static override name = 'BackendUnavailableError'
  override name = 'BackendUnavailableError'
}

let chosen: Promise<BackendName> | undefined

async function tryNode (): Promise<boolean> {
  try {
    // A variable specifier: the package is optional and usually absent; the type checker must not insist on it.
    const name = '@tensorflow/tfjs-node'
    await import(name)
    return await tf.setBackend('tensorflow')
  } catch {
    return false
  }
}

async function tryWasm (): Promise<boolean> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm')
    const require = createRequire(import.meta.url)
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/')
    registerWasmConv2DBackpropFilter()
    return await tf.setBackend('wasm')
  } catch {
    return false
  }
}

async function useCpu (): Promise<boolean> {
  const ok = await tf.setBackend('cpu')
  // tfjs-backend-cpu prints an "install tfjs-node" banner on first use; we log the backend ourselves.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null
  if (cpu !== null) cpu.firstUse = false
  return ok
}

/**
 * Initializes TensorFlow.js once per process. `prefer` forces one backend (tests compare
 * wasm against cpu); otherwise the first available of tensorflow, wasm, cpu.
 */
export async function initBackend (options: { prefer?: BackendName, logger?: TrainLogger } = {}): Promise<BackendName> {
  if (options.prefer !== undefined) {
    const ok = options.prefer === 'tensorflow' ? await tryNode() : options.prefer === 'wasm' ? await tryWasm() : await useCpu()
    if (!ok) throw new BackendUnavailableError(`the ${options.prefer} TensorFlow.js backend is not available here${options.prefer === 'tensorflow' ? ' (install @tensorflow/tfjs-node, which needs internet for libtensorflow)' : ''}`)
    options.logger?.info('tf-backend', { backend: options.prefer, forced: true })
    return options.prefer
  }
  chosen ??= (async () => {
    if (await tryNode()) return 'tensorflow'
    if (await tryWasm()) return 'wasm'
    await useCpu()
    return 'cpu'
  })()
  const name = await chosen
  options.logger?.info('tf-backend', { backend: name })
  return name
}

export { tf }
