import assert from 'node:assert/strict'
import { makeSession } from '../helpers/session.ts'

/** The private mapping from an id read off a message to the session's own id string. */
interface WithMemberId { memberId: (peer: string) => string }

describe('protocol/participant: member ids from messages', () => {
  it('maps a member id to the session\'s id and throws for anything else, never filing secrets under undefined', () => {
    const h = makeSession(5)
    const p = h.participants[1]! as unknown as WithMemberId
    assert.equal(p.memberId(h.ids[2]!), h.ids[2])
    // Both callers pass only ids already checked to be neighbours; this pins the guard behind them.
    for (const bad of ['__proto__', 'constructor', 'p99', `${h.ids[2]!} `, h.ids[2]!.toUpperCase(), '']) {
      assert.throws(() => p.memberId(bad), { name: 'InvalidStateError', message: /is not a member of this session/ }, JSON.stringify(bad))
    }
  })
})
