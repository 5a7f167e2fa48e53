import assert from 'node:assert/strict'
import { encodeMessage, decodeMessage } from '../../src/protocol/wire/codec.ts'
import { MaskedInputFrame } from '../../src/protocol/wire/masked-input-frame.ts'

describe('MaskedInputFrame', () => {
  for (const words of [1, 5, 127, 32 * 1024 + 3]) {
    for (const round of [0, 7, 2 ** 40]) {
      it(`is byte-identical to encodeMessage (${words} words, round ${round})`, () => {
        const binding = new Uint8Array(32).map((_, i) => i * 7)
        const frame = new MaskedInputFrame(words)
        for (let i = 0; i < words; i++) frame.vector[i] = (i * 2654435761) >>> 0
        const expected = encodeMessage({ kind: 'masked-input', binding, round, vector: frame.vector.slice() })
        const sealed = frame.seal(binding, round)
        assert.deepEqual(Buffer.from(sealed), Buffer.from(expected))
        const decoded = decodeMessage(sealed, { maxPeers: 4, vectorWords: words })
        assert.ok(decoded.ok && decoded.message.kind === 'masked-input')
        assert.deepEqual(decoded.message.vector, frame.vector)
      })
    }
  }

  it('seals once, and wipes only an unsealed vector', () => {
    const frame = new MaskedInputFrame(3)
    frame.vector.set([1, 2, 3])
    frame.wipe()
    assert.deepEqual([...frame.vector], [0, 0, 0])
    frame.vector.set([4, 5, 6])
    frame.seal(new Uint8Array(32), 1)
    frame.wipe()
    assert.deepEqual([...frame.vector], [4, 5, 6])
    assert.throws(() => frame.seal(new Uint8Array(32), 1), { name: 'InvalidInputError' })
  })

  it('refuses impossible sizes', () => {
    assert.throws(() => new MaskedInputFrame(0), { name: 'InvalidInputError' })
    assert.throws(() => new MaskedInputFrame(2 ** 31), { name: 'InvalidInputError' })
  })
})
