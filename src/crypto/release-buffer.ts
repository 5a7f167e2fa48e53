/**
 * Freeing a node:crypto result at once. Every `cipher.update` returns a fresh off-heap buffer
 * (a zeroed malloc'd backing store) that V8 frees only after a later garbage collection; by
 * then glibc has often given the pages back to the kernel, so a keystream loop touches fresh
 * pages all the time — a page fault per 4 KiB, ~13–16 µs each on some virtual machines.
 * Detaching the buffer (ArrayBuffer.prototype.transfer, ES2024) frees its backing store now,
 * and the next call gets the same, still-mapped, cache-warm memory back: 64 KiB keystream
 * calls went from 3.3–3.7 to 5.7–6.1 GB/s here (docs/BENCHMARKS.md).
 */

/**
 * Wipes `bytes` and frees its memory now if it owns a whole, plain ArrayBuffer (as node:crypto
 * results do); a view into a larger or shared buffer (a Buffer pool slice, wasm memory) is only
 * wiped, as is a buffer that cannot be detached (a WebAssembly memory's). `bytes` is unusable
 * afterwards when it was freed (length 0).
 */
export function wipeAndRelease (bytes: Uint8Array): void {
  const buffer = bytes.buffer
  if (buffer instanceof ArrayBuffer && buffer.detached) return // already freed (and wiped)
  bytes.fill(0)
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return
  try {
    buffer.transfer(0)
  } catch (err) {
    if (!(err instanceof TypeError)) throw err // a buffer that cannot be detached (wasm memory) stays, wiped
  }
}
