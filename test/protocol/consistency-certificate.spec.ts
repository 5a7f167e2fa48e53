import assert from 'node:assert/strict'
import { concatBytes, createEd25519Signer, seededRandom } from '../../src/crypto/index.ts'
import { openSession } from '../../src/protocol/index.ts'
import { verifyConsistencyCertificate } from '../../src/protocol/consistency-certificate.ts'
import { memberBitmap } from '../../src/protocol/member-bitmap.ts'
import { makeSession } from '../helpers/session.ts'

describe('protocol/consistency-certificate (Q signatures over U3, memoized per session key table)', () => {
  const message = seededRandom('certificate-message')(48)

  it('verifies the signers in member order; the memo never carries an outcome to another key table or signer set', () => {
    const h = makeSession(8)
    const session = openSession(h.config)
    const signerIds = [h.ids[1]!, h.ids[2]!, h.ids[4]!, h.ids[6]!]
    const signers = memberBitmap(session.memberIds, signerIds)
    const signatures = concatBytes(...signerIds.map((id) => h.signers[h.ids.indexOf(id)]!.sign(message)))
    for (let round = 0; round < 2; round++) { // the second round answers from the memo
      assert.deepEqual(verifyConsistencyCertificate(session, message, signers, signatures, 4), { valid: 4, failedAt: -1 })
      assert.deepEqual(verifyConsistencyCertificate(session, message, signers, signatures, 2), { valid: 2, failedAt: -1 })
      // The same signatures attributed to other members: the second signer differs.
      const shifted = memberBitmap(session.memberIds, [h.ids[1]!, h.ids[3]!, h.ids[4]!, h.ids[6]!])
      assert.deepEqual(verifyConsistencyCertificate(session, message, shifted, signatures, 4), { valid: 1, failedAt: 1 })
    }
    // Another session with the same member ids and bitmap, where p04 has another signing key:
    // the same certificate bytes must be checked against that key, not answered from the memo.
    const other = openSession({ ...h.config, members: h.config.members.map((m) => m.id === h.ids[4] ? { ...m, signingKey: createEd25519Signer(seededRandom('imposter')(32)).publicKey } : m) })
    assert.deepEqual(verifyConsistencyCertificate(other, message, signers, signatures, 4), { valid: 2, failedAt: 2 })
    assert.deepEqual(verifyConsistencyCertificate(session, message, signers, signatures, 4), { valid: 4, failedAt: -1 })
    // More or fewer signatures than signers: refused, never checked against a shifted key list.
    assert.throws(() => verifyConsistencyCertificate(session, message, signers, signatures.subarray(64), 3), { name: 'InvalidInputError', message: /4 signers need 256 signature bytes, got 192/ })
    assert.throws(() => verifyConsistencyCertificate(session, message, signers, concatBytes(signatures, signatures.subarray(0, 64)), 4), { name: 'InvalidInputError' })
  })
})
