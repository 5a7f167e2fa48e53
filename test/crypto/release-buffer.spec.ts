import assert from 'node:assert/strict'
import { createCipheriv } from 'node:crypto'
import { wipeAndRelease } from '../../src/crypto/release-buffer.ts'

describe('crypto/release-buffer (freeing node:crypto results at once)', () => {
  it('frees a buffer that owns its whole ArrayBuffer, as cipher.update returns', () => {
    const out = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16)).update(Buffer.alloc(65_536))
    assert.equal(out.byteOffset, 0)
    assert.equal(out.buffer.byteLength, out.byteLength, 'node:crypto output owns its ArrayBuffer')
    const buffer = out.buffer
    wipeAndRelease(out)
    assert.equal(buffer.detached, true)
    assert.equal(out.length, 0)
  })

  it('only wipes a view into a larger buffer (a pool slice or a window of wasm memory) or into shared memory', () => {
    const backing = new Uint8Array(64).fill(9)
    const view = backing.subarray(8, 24)
    wipeAndRelease(view)
    assert.equal(backing.buffer.detached, false)
    assert.deepEqual([...backing.subarray(8, 24)], new Array(16).fill(0))
    assert.equal(backing[7], 9)
    assert.equal(backing[24], 9)
    const shared = new Uint8Array(new SharedArrayBuffer(16)).fill(3)
    wipeAndRelease(shared)
    assert.deepEqual([...shared], new Array(16).fill(0))
    const memory = new (WebAssembly.Memory as unknown as new (descriptor: { initial: number }) => WebAssembly.Memory)({ initial: 1 }) // one 64 KiB page (the ambient typings here declare no descriptor)
    const whole = new Uint8Array(memory.buffer).fill(5)
    wipeAndRelease(whole.subarray(0, 100))
    assert.equal(whole[0], 0)
    assert.equal(whole[100], 5)
    wipeAndRelease(whole) // the whole of a wasm memory cannot be detached: wiped only
    assert.equal(memory.buffer.byteLength, 65_536)
    assert.equal(whole[100], 0)
  })

  it('does nothing more to an already freed buffer', () => {
    const bytes = new Uint8Array(32).fill(1)
    wipeAndRelease(bytes)
    assert.doesNotThrow(() => wipeAndRelease(bytes))
  })
})
