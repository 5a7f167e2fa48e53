/**
 * Peers that should get nothing: a non-member cannot connect at all; a member (its key in
 * the consortium file) that sends garbage, oversized or replayed frames has them dropped with
 * a logged reason while the node keeps serving rounds.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createIdentity } from '../../src/node/config/identity.ts'
import type { Identity } from '../../src/node/config/identity.ts'
import { createLogger } from '../../src/node/logger.ts'
import { SwarmHost } from '../../src/node/net/host.ts'
import { Frame, FrameType } from '../../src/round/wire/round.generated.ts'
import { TestSwarm } from '../helpers/swarm-processes.ts'

describe('swarm: hostile peers', function () {
  this.timeout(120_000)
  let swarm: TestSwarm
  let scratch: string
  const hosts: SwarmHost[] = []
  beforeEach(() => { swarm = new TestSwarm(); scratch = mkdtempSync(join(tmpdir(), 'secagg-rogue-')) })
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.stop().catch(() => {})
    await swarm.teardown()
    rmSync(scratch, { recursive: true, force: true })
  })

  async function rogueHost (members: Map<string, string[]>, name: string, identity?: Identity): Promise<{ host: SwarmHost, received: Uint8Array[] }> {
    identity ??= await createIdentity(join(scratch, name))
    const received: Uint8Array[] = []
    const host = await SwarmHost.start({
      identity, members: new Map([...members, [identity.peerId, []]]), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false,
      maxMessageBytes: 64 * 1024 * 1024, logger: createLogger({}), onMessage: (_from, data) => received.push(data)
    })
    hosts.push(host)
    return { host, received }
  }

  it('a peer not in the consortium file cannot connect and gets nothing', async () => {
    await swarm.init(3, 4, 1000)
    for (let i = 0; i < 3; i++) swarm.start(i, 4)
    await swarm.waitFor(() => swarm.roundFile(0, 0) !== undefined, 60_000, 'round 0')
    const members = new Map(swarm.members.map((m) => [m.peerId, [`/ip4/127.0.0.1/tcp/${m.port}`]]))
    const { host, received } = await rogueHost(members, 'outsider')
    const frame = Frame.encode({ version: 2, type: FrameType.SESSION, round: 0n, attempt: 0, payload: new Uint8Array(10) })
    const sent = await host.send(swarm.members[0]!.peerId, frame, AbortSignal.timeout(4_000))
    assert.equal(sent, false, 'the member refused every connection')
    for (let i = 0; i < 3; i++) assert.equal(await swarm.waitExit(i, 60_000), 0)
    assert.equal(received.length, 0)
    assert.match(swarm.log(0), /"event":"connection-refused","peer":"[^"]+","direction":"inbound","why":"not a consortium member"/)
  })

  it('garbage, oversized and replayed frames from a member are dropped with a reason; rounds go on', async () => {
    const identityDir = join(scratch, 'rogue-member')
    const rogue = await createIdentity(identityDir)
    // Four honest members and the rogue (n = 5, t = 3): the rounds need the rogue's absence tolerated.
    await swarm.init(4, 4, 1000, { members: [{ peerId: rogue.peerId, addresses: [] }], maxMessageBytes: 64 * 1024 })
    for (let i = 0; i < 4; i++) swarm.start(i, 4)
    const members = new Map(swarm.members.map((m) => [m.peerId, [`/ip4/127.0.0.1/tcp/${m.port}`]]))
    const { host } = await rogueHost(members, 'rogue-member', rogue)
    await swarm.waitFor(() => swarm.roundFile(0, 0) !== undefined, 60_000, 'round 0')
    const target = swarm.members[0]!.peerId
    const signal = AbortSignal.timeout(10_000)
    assert.ok(await host.send(target, new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]), signal), 'garbage delivered')
    // The receiver refuses the oversized frame from its length and resets the stream: the frame
    // is never acknowledged, so the sender knows it did not arrive (and retries until it gives up).
    assert.equal(await host.send(target, Frame.encode({ version: 2, type: FrameType.SESSION, round: 1n, attempt: 0, payload: new Uint8Array(200 * 1024) }), AbortSignal.timeout(1_500)), false, 'an oversized frame is not acknowledged')
    assert.ok(await host.send(target, Frame.encode({ version: 2, type: FrameType.SESSION, round: 0n, attempt: 0, payload: new Uint8Array([1, 2, 3]) }), signal))
    assert.ok(await host.send(target, Frame.encode({ version: 2, type: FrameType.RESULT, round: 99n, attempt: 0, payload: new Uint8Array([1, 2, 3]) }), signal))
    for (let i = 0; i < 4; i++) assert.equal(await swarm.waitExit(i, 90_000), 0)
    const log = swarm.log(0)
    assert.match(log, /"event":"message-dropped".*undecodable frame/)
    assert.match(log, /"event":"message-dropped".*above the 65536-byte maximum/)
    assert.match(log, /"event":"message-dropped".*stale: round 0/)
    assert.match(log, /"event":"result-rejected","peer":"[^"]+","round":99,.*undecodable result/)
    for (let r = 0; r < 4; r++) assert.ok(swarm.roundFile(0, r)?.sum !== undefined, `round ${r} completed despite the rogue member`)
  })
})
