/**
 * Chunked, in-place modular addition of byte streams into a vector over Z_{2^32} or
 * Z_{2^64}, using the SIMD kernels of wasm/mask-add.wat. Work happens in 64 KiB blocks
 * (AES-CTR keystream is fastest in 64 KiB calls here, and two blocks stay in L2), so adding
 * k streams to a vector of any size never allocates a full-size temporary.
 */
import { endianness } from 'node:os'
import { InvalidCryptoInputError } from './errors.ts'
import { MASK_ADD_WASM_BASE64 } from './wasm/mask-add-wasm.ts'

/** A vector in Z_{2^32} (Uint32Array) or Z_{2^64} (BigUint64Array). */
export type RingVector = Uint32Array | BigUint64Array

/** Block size in bytes; a multiple of 16 (one v128) and of 8 (one Z_{2^64} element). */
export const BLOCK_BYTES = 64 * 1024

// Element i of a vector is bytes [w·i, w·i + w) read little-endian; the wasm kernels and the
// typed-array views agree on that only on little-endian hosts, which all Node targets are.
if (endianness() !== 'LE') throw new Error('secagg-swarm requires a little-endian host')

interface Kernels {
  readonly memory: WebAssembly.Memory
  readonly add32: (t: number, k: number, n: number) => void
  readonly sub32: (t: number, k: number, n: number) => void
  readonly add64: (t: number, k: number, n: number) => void
  readonly sub64: (t: number, k: number, n: number) => void
}

let kernels: Kernels | undefined

function loadKernels (): Kernels {
  if (kernels === undefined) {
    const module = new WebAssembly.Module(Buffer.from(MASK_ADD_WASM_BASE64, 'base64'))
    kernels = new WebAssembly.Instance(module).exports as unknown as Kernels
  }
  return kernels
}

/**
 * One stream to add (or subtract) into the target: `fill` writes its next `into.length` bytes
 * into `into` (a window of the kernels' memory), so a stream that produces fresh buffers can
 * free each one as soon as it is copied (release-buffer.ts).
 */
export interface ByteStreamTerm {
  readonly fill: (into: Uint8Array) => void
  readonly sign: 1 | -1
}

function bytesOf (vector: RingVector): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)
}

/**
 * target += Σ sign_j · stream_j (element-wise, mod 2^32 or 2^64 by the target's type).
 * Streams are pulled block by block in order, each exactly target.byteLength bytes in total.
 * The kernels' memory is wiped before returning: it held the last block of each stream and of the sum.
 */
export function addStreamsInPlace (target: RingVector, terms: readonly ByteStreamTerm[]): void {
  if (!(target instanceof Uint32Array) && !(target instanceof BigUint64Array)) {
    throw new InvalidCryptoInputError('target must be a Uint32Array (Z_2^32) or BigUint64Array (Z_2^64)')
  }
  if (terms.length === 0) return
  const k = loadKernels()
  const wide = target instanceof BigUint64Array
  const add = wide ? k.add64 : k.add32
  const sub = wide ? k.sub64 : k.sub32
  const bytes = bytesOf(target)
  try {
    for (let offset = 0; offset < bytes.length; offset += BLOCK_BYTES) {
      const n = Math.min(BLOCK_BYTES, bytes.length - offset)
      const padded = (n + 15) & ~15
      // The memory view is refreshed every block: it never grows, but a detached view would
      // be a silent bug if it ever did.
      const memory = new Uint8Array(k.memory.buffer)
      memory.set(bytes.subarray(offset, offset + n), 0)
      const window = memory.subarray(BLOCK_BYTES, BLOCK_BYTES + n)
      for (const term of terms) {
        term.fill(window)
        ;(term.sign === 1 ? add : sub)(0, BLOCK_BYTES, padded)
      }
      bytes.set(memory.subarray(0, n), offset)
    }
  } finally {
    // Both windows: the stream window held keystream, and the target window the last block of
    // a sum that may itself be secret (a mask expanded into a zero vector).
    new Uint8Array(k.memory.buffer).fill(0, 0, 2 * BLOCK_BYTES)
  }
}

/** target += sign · source, element-wise in the target's ring; both must have equal length and type. */
export function addVectorInPlace (target: RingVector, source: RingVector, sign: 1 | -1 = 1): void {
  if (target.constructor !== source.constructor || target.length !== source.length) {
    throw new InvalidCryptoInputError(`cannot add a ${source.constructor.name}[${source.length}] into a ${target.constructor.name}[${target.length}]`)
  }
  const src = bytesOf(source)
  let position = 0
  addStreamsInPlace(target, [{
    sign,
    fill: (into) => {
      into.set(src.subarray(position, position + into.length))
      position += into.length
    }
  }])
}
