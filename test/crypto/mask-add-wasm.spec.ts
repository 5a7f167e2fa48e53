import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import wabtFactory from 'wabt'
import { MASK_ADD_WASM_BASE64 } from '../../src/crypto/wasm/mask-add-wasm.ts'

describe('crypto/wasm/mask-add', () => {
  it('the embedded module is mask-add.wat compiled', async () => {
    const wabt = await wabtFactory()
    const source = readFileSync(new URL('../../src/crypto/wasm/mask-add.wat', import.meta.url), 'utf8')
    const parsed = wabt.parseWat('mask-add.wat', source, { simd: true })
    const { buffer } = parsed.toBinary({})
    parsed.destroy()
    assert.equal(Buffer.from(buffer).toString('base64'), MASK_ADD_WASM_BASE64)
  })
})
