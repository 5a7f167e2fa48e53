/**
 * Acknowledged frames over one long-lived stream (src/node/net/frame-channel.ts), on an
 * in-memory libp2p stream pair: frames arrive whole and in order, a sender learns when a
 * frame was not read, an oversized frame is refused from its length, and a sender that gives
 * up waiting leaves the channel in step for the frames behind it.
 */
import assert from 'node:assert/strict'
import { lpStream, streamPair } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { FrameChannelError, FrameSender, receiveFrames } from '../../src/node/net/frame-channel.ts'
import type { ReceiveEnd } from '../../src/node/net/frame-channel.ts'

interface Receiving { readonly frames: Uint8Array[], readonly end: Promise<ReceiveEnd>, readonly stop: AbortController }

function receive (stream: Stream, maxBytes: number, onFrame?: (data: Uint8Array) => void): Receiving {
  const frames: Uint8Array[] = []
  const stop = new AbortController()
  const end = receiveFrames(stream, maxBytes, stop.signal, (data) => { const bytes = data.subarray(); frames.push(bytes); onFrame?.(bytes) })
  return { frames, end, stop }
}

const frame = (i: number, size = 100): Uint8Array => new Uint8Array(size).fill(i & 0xff)

describe('node/net/frame-channel (acknowledged frames on one stream)', () => {
  it('frames sent one after another and all at once arrive whole, in order, on the one stream', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1 << 20)
    const sender = new FrameSender(out, 10_000)
    const signal = AbortSignal.timeout(20_000)
    for (let i = 0; i < 20; i++) await sender.send(frame(i, 1 + i * 997), signal)
    await Promise.all(Array.from({ length: 20 }, (_, i) => sender.send(frame(100 + i, 70_000), signal)))
    assert.equal(got.frames.length, 40)
    got.frames.forEach((f, i) => assert.deepEqual(f, i < 20 ? frame(i, 1 + i * 997) : frame(100 + i - 20, 70_000), `frame ${i}`))
    await sender.send(new Uint8Array(0), signal) // an empty frame is a frame too
    assert.equal(got.frames.at(-1)?.length, 0)
    sender.close()
    assert.deepEqual(await got.end, { kind: 'closed' })
  })

  it('a frame the receiver never reads is not acknowledged: the send fails and the channel is closed', async () => {
    const [out, inbound] = await streamPair()
    const sender = new FrameSender(out, 300) // the acknowledgement deadline
    await assert.rejects(sender.send(frame(1), AbortSignal.timeout(20_000)), (err: Error) => err.name === 'TimeoutError')
    assert.equal(sender.open, false)
    await assert.rejects(sender.send(frame(2), AbortSignal.timeout(20_000)), (err: Error) => err instanceof FrameChannelError && err.unsent)
    inbound.abort(new Error('test over'))
  })

  it('a frame above the maximum is refused from its length, before its bytes are buffered; the sender learns it did not arrive', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000)
    const sender = new FrameSender(out, 10_000)
    await sender.send(frame(1, 1_000), AbortSignal.timeout(20_000))
    await assert.rejects(sender.send(frame(2, 1_001), AbortSignal.timeout(20_000)))
    const end = await got.end
    assert.equal(end.kind, 'failed')
    assert.match((end as { error: Error }).error.message, /above the 1000-byte maximum/)
    assert.equal(got.frames.length, 1, 'only the frame within the maximum was handed on')
  })

  it('a truncated frame (the sender gone mid-frame) is reported as failed, not handed on', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000)
    const raw = lpStream(out)
    await raw.unwrap().send(Uint8Array.of(200, 1, 1, 2, 3)) // announces 200 bytes, sends 3
    await out.close()
    const end = await got.end
    assert.equal(end.kind, 'failed')
    assert.equal(got.frames.length, 0)
  })

  it('a sender that stops waiting does not put the channel out of step: its frame still completes, the next one is acknowledged as its own', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1 << 20)
    const sender = new FrameSender(out, 10_000)
    const quitter = new AbortController()
    const first = sender.send(frame(1, 50_000), quitter.signal).then(() => 'acknowledged', () => 'gave up')
    await new Promise((resolve) => setImmediate(resolve)) // its turn has begun: the frame is being written
    quitter.abort()
    assert.ok(['acknowledged', 'gave up'].includes(await first))
    await sender.send(frame(2), AbortSignal.timeout(20_000))
    assert.equal(sender.open, true)
    assert.deepEqual(got.frames.map((f) => f[0]), [1, 2], 'the abandoned frame had started, so it completed first')
    const late = new AbortController()
    late.abort()
    await assert.rejects(sender.send(frame(3), late.signal)) // given up before its turn: skipped
    await sender.send(frame(4), AbortSignal.timeout(20_000))
    assert.deepEqual(got.frames.map((f) => f[0]), [1, 2, 4])
    sender.close()
    assert.deepEqual(await got.end, { kind: 'closed' })
  })
})
