import assert from 'node:assert/strict'
import { computeSessionId, seededRandom, toHex } from '../../src/crypto/index.ts'

describe('crypto/session-id', () => {
  const rng = seededRandom('session')
  const parties = ['alice', 'bob', 'carol'].map((id) => ({ id, publicKeys: [rng(32), rng(32)] }))
  const base = { parameters: ['consortium-hash', 7, 'alice', 3], parties }

  it('does not depend on the order of the parties', () => {
    assert.equal(toHex(computeSessionId(base)), toHex(computeSessionId({ ...base, parties: [...parties].reverse() })))
  })

  it('changes with any parameter or any public key', () => {
    const id = toHex(computeSessionId(base))
    assert.notEqual(toHex(computeSessionId({ ...base, parameters: ['consortium-hash', 8, 'alice', 3] })), id)
    const changed = parties.map((p, i) => (i === 1 ? { id: p.id, publicKeys: [p.publicKeys[0]!, rng(32)] } : p))
    assert.notEqual(toHex(computeSessionId({ ...base, parties: changed })), id)
    assert.notEqual(toHex(computeSessionId({ ...base, parties: parties.slice(1) })), id)
  })

  it('refuses a party listed twice', () => {
    assert.throws(() => computeSessionId({ ...base, parties: [...parties, parties[0]!] }), { name: 'InvalidCryptoInputError', message: /alice appears twice/ })
  })
})
