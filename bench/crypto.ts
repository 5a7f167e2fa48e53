/**
 * Crypto benchmarks: mask expansion against raw AES-256-CTR keystream measured in the same
 * run, and Shamir split/combine at the sizes the protocol uses.
 */
import { createCipheriv } from 'node:crypto'
import { addMasks, seededRandom, shamirCombine, shamirSplit, shuffled } from '../src/crypto/index.ts'
import { fmt, medianMs, printSection, verdict } from './harness.ts'

/** Flower SecAgg+ (Python) combine of one 32-byte secret at t = 9, measured on this machine. */
const FLOWER_COMBINE_T9_MS = 12.0

/** Raw AES-256-CTR keystream time for `bytes` bytes in 64 KiB calls (the fastest size here). */
export function rawKeystreamMs (bytes: number): number {
  const key = seededRandom('raw')(32)
  const zero = Buffer.alloc(64 * 1024)
  return medianMs(() => {
    const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
    for (let done = 0; done < bytes; done += zero.length) {
      // Each block freed at once (as the mask code does, src/crypto/release-buffer.ts): left to
      // the garbage collector, fresh pages for every block make "raw" 1.5–2× slower here.
      const block = c.update(zero.subarray(0, Math.min(zero.length, bytes - done)))
      if (block.byteOffset === 0 && block.byteLength === block.buffer.byteLength) block.buffer.transfer(0)
    }
  })
}

export function benchCrypto (): void {
  const elements = 16 * 1024 * 1024 // 64 MB of Z_2^32
  const bytes = elements * 4
  const rng = seededRandom('bench-crypto')
  const target = new Uint32Array(elements)
  const rawMs = rawKeystreamMs(bytes)
  const oneMs = medianMs(() => addMasks(target, [{ seed: rng(32), sign: 1 }]))
  const seeds16 = Array.from({ length: 16 }, () => ({ seed: rng(32), sign: (rng(1)[0]! & 1 ? 1 : -1) as 1 | -1 }))
  const small = new Uint32Array(1024 * 1024)
  const sixteenMs = medianMs(() => addMasks(small, seeds16), 5, 1)
  const rawSmallMs = rawKeystreamMs(small.byteLength * 16)
  const mbps = (b: number, ms: number): number => b / 1e6 / (ms / 1e3)
  printSection('PRG mask expansion (AES-256-CTR, Z_2^32)', [
    { name: 'raw AES-256-CTR keystream', value: `${fmt(mbps(bytes, rawMs), 0)} MB/s`, note: '64 KiB calls, this run' },
    { name: 'mask expansion, 1 mask, 64 MB', value: `${fmt(mbps(bytes, oneMs), 0)} MB/s`, note: `${fmt(rawMs / oneMs, 2)}× raw; goal ≥ 0.50×: ${verdict(rawMs / oneMs >= 0.5)}` },
    { name: 'mask expansion, 16 masks, 4 MB', value: `${fmt(mbps(small.byteLength * 16, sixteenMs), 0)} MB/s`, note: `${fmt(rawSmallMs / sixteenMs, 2)}× raw for the same keystream bytes` }
  ])

  const rows = []
  for (const [t, n] of [[9, 17], [17, 30], [501, 1000]] as const) {
    const secret = rng(32)
    let shares = shamirSplit(secret, t, n, rng)
    const splitMs = medianMs(() => { shares = shamirSplit(secret, t, n, rng) }, n > 100 ? 5 : 50, 1)
    // A fresh random t-subset every time, so the memoized Lagrange coefficients (shamir.ts)
    // never help: the cost of one secret from holders not seen before, as Flower pays it.
    const combineMs = medianMs(() => { shamirCombine(shuffled(rng, shares).slice(0, t), t) }, n > 100 ? 5 : 200, 2)
    // An aggregator's case: the next secret from the same holders (the coefficients reused).
    const same = shares.slice(n - t)
    shamirCombine(same, t)
    const sameMs = medianMs(() => { shamirCombine(same, t) }, n > 100 ? 5 : 200, 2)
    const note = t === 9 ? `Flower SecAgg+ combine ${FLOWER_COMBINE_T9_MS} ms → ${fmt(FLOWER_COMBINE_T9_MS / combineMs, 0)}× faster; goal ≥ 20×: ${verdict(FLOWER_COMBINE_T9_MS / combineMs >= 20)}` : undefined
    rows.push({ name: `Shamir (t=${t}, n=${n}) split / combine / next secret, same holders`, value: `${fmt(splitMs, 3)} ms / ${fmt(combineMs, 3)} ms / ${fmt(sameMs, 3)} ms`, note })
  }
  printSection('Shamir secret sharing, one 32-byte secret', rows)
}
