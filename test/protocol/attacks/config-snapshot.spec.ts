/**
 * Sessions are opened once per config object (the simulator's thousands of machines share
 * one). A config changed after opening must never run unvalidated: here an unsafe threshold
 * written into an opened config let the aggregator and one colluder read every honest input
 * (n = 7, c = 2) before the machines read their parameters from the validated snapshot.
 */
import assert from 'node:assert/strict'
import { seededRandom } from '../../../src/crypto/index.ts'
import { Participant, openSession } from '../../../src/protocol/index.ts'
import type { SessionConfig } from '../../../src/protocol/index.ts'
import { makeSession } from '../../helpers/session.ts'

describe('attack: a session config changed after it was opened', () => {
  it('an unsafe threshold written into an opened config is validated afresh and refused', () => {
    const h = makeSession(7) // c = 2, t = 5
    openSession(h.config)
    ;(h.config as { threshold: number }).threshold = 2
    assert.throws(() => new Participant(h.config, { id: h.ids[1]!, signer: h.signers[1]! }, seededRandom('x')), { name: 'ProtocolConfigError', message: /threshold t = 2 is unsafe/ })
  })

  it('machines use the validated snapshot: a member replaced inside the same array changes nothing they use', () => {
    const h = makeSession(5)
    const session = openSession(h.config)
    const members = h.config.members as Array<SessionConfig['members'][number]>
    const original = members[2]!
    members[2] = { id: original.id, signingKey: new Uint8Array(32).fill(9) }
    const again = openSession(h.config)
    assert.equal(again, session)
    assert.deepEqual(again.signingKeys.get(original.id), original.signingKey, 'the key validated at opening')
    assert.ok(Object.isFrozen(again.config) && Object.isFrozen(again.config.members))
  })

  it('one signing key listed under two member ids is refused', () => {
    const h = makeSession(5)
    const members = h.config.members.map((m, i) => (i === 3 ? { id: m.id, signingKey: h.config.members[1]!.signingKey } : m))
    assert.throws(() => openSession({ ...h.config, members }), { name: 'ProtocolConfigError', message: /same signing key/ })
  })
})
