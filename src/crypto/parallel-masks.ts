/**
 * Mask expansion on a second core. A member's node has the whole machine, and expanding k
 * AES-CTR masks over an M-word vector is the largest cost of a round (docs/BENCHMARKS.md):
 * the vector is split at a 16-byte boundary, a helper thread expands the keystreams of the
 * upper part — AES-CTR is seekable: that part's counter starts at its byte offset / 16 — and
 * sums them into shared scratch memory while this thread masks the lower part; the scratch is
 * then added in and wiped. The call stays synchronous (the state machines are): this thread
 * waits on an Atomics flag, with a deadline, and finishes the upper part itself if the helper
 * failed or did not answer.
 *
 * The helper is one `worker_threads` worker, started on first use and unref'd (it never keeps
 * a process alive), running plain JavaScript from a string so it loads the same way under tsx
 * and in compiled code. Seeds are copied to it and zeroed there after use.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { addStreamsInPlace, addVectorInPlace, BLOCK_BYTES } from './simd-add.ts'
import type { ByteStreamTerm, RingVector } from './simd-add.ts'
import { MASK_ADD_WASM_BASE64 } from './wasm/mask-add-wasm.ts'

/** Below this many bytes a vector is masked on one thread: the hand-off would cost more than it saves. */
export const PARALLEL_MASK_MIN_BYTES = 1 << 20
/**
 * A single mask stays on one thread whatever the size: the helper's half comes back through
 * its scratch buffer and costs one more pass over it here, which one keystream does not repay
 * (64 MB: 21 ms on one thread, 35 ms with the helper; two masks: 36 vs 32 ms, docs/BENCHMARKS.md).
 */
export const PARALLEL_MASK_MIN_TERMS = 2
/** How long to wait for the helper before doing its part here (its first job includes its start-up). */
const HELPER_DEADLINE_MS = 10_000
/** Added per mask term: a 4 MiB slice of one AES-CTR keystream takes about 1 ms here; 20× that. */
const HELPER_MS_PER_TERM = 20

const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createCipheriv } = require('node:crypto')
const k = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(workerData.wasm, 'base64'))).exports
const BLOCK = workerData.block
const zero = Buffer.alloc(BLOCK)
parentPort.on('message', (job) => {
  const { control, scratch, length, seeds, signs, startByte, wide } = job
  let status = 1
  try {
    const iv = Buffer.alloc(16)
    let counter = BigInt(startByte / 16)
    for (let i = 15; i >= 0; i--) { iv[i] = Number(counter & 0xffn); counter >>= 8n }
    const ciphers = seeds.map((seed) => createCipheriv('aes-256-ctr', seed, iv))
    const out = new Uint8Array(scratch, 0, length)
    for (let offset = 0; offset < out.length; offset += BLOCK) {
      const n = Math.min(BLOCK, out.length - offset)
      const padded = (n + 15) & ~15
      const memory = new Uint8Array(k.memory.buffer)
      memory.fill(0, 0, padded)
      for (let j = 0; j < ciphers.length; j++) {
        const block = ciphers[j].update(zero.subarray(0, n))
        memory.set(block, BLOCK)
        // Wiped and freed now (see release-buffer.ts): the next block reuses this memory.
        block.fill(0)
        if (block.byteOffset === 0 && block.byteLength === block.buffer.byteLength) block.buffer.transfer(0)
        ;(signs[j] === 1 ? (wide ? k.add64 : k.add32) : (wide ? k.sub64 : k.sub32))(0, BLOCK, padded)
      }
      out.set(memory.subarray(0, n), offset)
      memory.fill(0, 0, 2 * BLOCK)
    }
  } catch {
    status = 2
  } finally {
    for (const seed of seeds) seed.fill(0)
  }
  Atomics.store(control, 0, status)
  Atomics.notify(control, 0)
})
`

let helper: Worker | undefined
/**
 * The helper's scratch, kept for the process: a fresh 4 MiB SharedArrayBuffer per call was
 * 1,024 fresh pages each time a member masked (the calls never overlap: they are synchronous).
 */
let helperScratch: SharedArrayBuffer | undefined
// SECAGG_MASK_HELPER=0 keeps masking on one thread (a member that wants its second core for
// something else, or the lower memory peak: the helper's keystream buffers are garbage of its own).
let unavailable = availableParallelism() < 2 || process.env.SECAGG_MASK_HELPER === '0'

function startHelper (): Worker | undefined {
  if (unavailable) return undefined
  if (helper === undefined) {
    try {
      helper = new Worker(HELPER_SOURCE, { eval: true, workerData: { wasm: MASK_ADD_WASM_BASE64, block: BLOCK_BYTES } })
      helper.unref()
      helper.on('error', () => { unavailable = true; helper = undefined })
    } catch {
      unavailable = true
      return undefined
    }
  }
  return helper
}

/** One mask term as the parallel path needs it: the seed, and its keystream from any 16-byte-aligned offset. */
export interface SeededTerm {
  readonly seed: Uint8Array
  readonly sign: 1 | -1
  readonly streamAt: (startByte: number) => ByteStreamTerm['fill']
}

/** Bytes the helper expands per hand-off: its scratch memory, whatever the vector's size. */
const HELPER_SLICE_BYTES = 4 << 20

/**
 * target += Σ sign · PRG(seed) using the helper thread. The vector is walked in pairs of
 * slices: this thread masks the lower slice of a pair in place while the helper sums the
 * keystreams of the upper one into a fixed scratch buffer, which is then added in — so the
 * extra memory is one slice (4 MiB), not half the vector. Returns false (having done
 * nothing) when the vector is too small, there is a single mask, or no helper thread can
 * run; the caller then masks on one thread.
 */
export function addMasksInParallel (target: RingVector, terms: readonly SeededTerm[]): boolean {
  if (!(target instanceof Uint32Array) && !(target instanceof BigUint64Array)) return false // the one-thread path names the error
  if (target.byteLength < PARALLEL_MASK_MIN_BYTES || terms.length < PARALLEL_MASK_MIN_TERMS) return false
  let worker = startHelper()
  if (worker === undefined) return false
  const wide = target instanceof BigUint64Array
  const width = target.BYTES_PER_ELEMENT
  const bytes = target.byteLength
  const slice = Math.min(HELPER_SLICE_BYTES, Math.floor(bytes / 2 / 16) * 16)
  const control = new Int32Array(new SharedArrayBuffer(4))
  helperScratch ??= new SharedArrayBuffer(HELPER_SLICE_BYTES)
  const scratch = helperScratch
  const part = (from: number, to: number): RingVector => (wide ? (target as BigUint64Array).subarray(from / width, to / width) : (target as Uint32Array).subarray(from / width, to / width))
  const local = (from: number, to: number): void => addStreamsInPlace(part(from, to), terms.map((t) => ({ sign: t.sign, fill: t.streamAt(from) })))
  try {
    for (let offset = 0; offset < bytes; offset += 2 * slice) {
      const mid = Math.min(offset + slice, bytes)
      const end = Math.min(mid + slice, bytes)
      if (worker === undefined || end === mid) { local(offset, end); continue }
      Atomics.store(control, 0, 0)
      // Fresh copies of the seeds, moved (not copied) to the helper: none is left behind here.
      const seeds = terms.map((t) => new Uint8Array(t.seed)) // always a copy (a Buffer's slice() is a view)
      worker.postMessage({ control, scratch, length: end - mid, seeds, signs: terms.map((t) => t.sign), startByte: mid, wide }, seeds.map((seed) => seed.buffer))
      local(offset, mid)
      // The deadline grows with the work: an aggregator may hand over thousands of terms.
      Atomics.wait(control, 0, 0, HELPER_DEADLINE_MS + terms.length * HELPER_MS_PER_TERM)
      if (Atomics.load(control, 0) !== 1) {
        // The helper failed or is stuck: never use it again, and mask its slice here.
        unavailable = true
        helper = undefined
        helperScratch = undefined
        // It may still write a block before it stops: wipe the scratch again once it has exited.
        worker.once('exit', () => new Uint8Array(scratch).fill(0))
        void worker.terminate()
        worker = undefined
        local(mid, end)
        continue
      }
      const sums = wide ? new BigUint64Array(scratch, 0, (end - mid) / width) : new Uint32Array(scratch, 0, (end - mid) / width)
      addVectorInPlace(part(mid, end), sums)
    }
  } finally {
    new Uint8Array(scratch, 0, slice).fill(0) // a mask sum is secret
  }
  return true
}

/** Test hook: whether the helper thread has been given up on. */
export function parallelMasksUnavailable (): boolean {
  return unavailable
}
