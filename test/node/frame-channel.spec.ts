/**
 * Acknowledged frames over one long-lived stream (src/node/net/frame-channel.ts), on an
 * in-memory libp2p stream pair: frames arrive whole and in order, a sender learns when a
 * frame was not read, and a malicious sender cannot make the receiver parse frames it did not
 * wait for, hold a half-sent frame past its deadline, or keep the transport's buffers alive.
 */
import assert from 'node:assert/strict'
import { streamPair } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { FrameChannelError, FrameSender, receiveFrames } from '../../src/node/net/frame-channel.ts'
import type { ReceiveEnd } from '../../src/node/net/frame-channel.ts'

interface Receiving {
  readonly frames: Uint8Array[]
  readonly end: Promise<ReceiveEnd>
  readonly stop: AbortController
  /** Resolves once `count` frames have been handed on. */
  readonly until: (count: number) => Promise<void>
}

function receive (stream: Stream, maxBytes: number, frameDeadlineMs = 10_000): Receiving {
  const frames: Uint8Array[] = []
  const stop = new AbortController()
  const waiters: Array<{ count: number, resolve: () => void }> = []
  const end = receiveFrames(stream, maxBytes, stop.signal, (data) => {
    frames.push(data)
    for (const w of waiters.filter((x) => x.count <= frames.length)) w.resolve()
  }, frameDeadlineMs)
  const until = (count: number): Promise<void> => frames.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))
  return { frames, end, stop, until }
}

const frame = (i: number, size = 100): Uint8Array => new Uint8Array(size).fill(i & 0xff)

async function failure (r: Receiving): Promise<string> {
  const end = await r.end
  assert.equal(end.kind, 'failed')
  return (end as { error: Error }).error.message
}

describe('node/net/frame-channel (acknowledged frames on one stream)', () => {
  it('frames sent one after another and all at once arrive whole, in order, each in a buffer of its own', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1 << 20)
    const sender = new FrameSender(out, 10_000)
    const signal = AbortSignal.timeout(20_000)
    for (let i = 0; i < 20; i++) await sender.send(frame(i, 1 + i * 997), signal)
    await Promise.all(Array.from({ length: 20 }, (_, i) => sender.send(frame(100 + i, 70_000), signal)))
    assert.equal(got.frames.length, 40)
    got.frames.forEach((f, i) => {
      assert.deepEqual(f, i < 20 ? frame(i, 1 + i * 997) : frame(100 + i - 20, 70_000), `frame ${i}`)
      assert.equal(f.buffer.byteLength, f.byteLength, `frame ${i} is a copy, not a view into the transport's buffers`)
    })
    sender.close()
    assert.deepEqual(await got.end, { kind: 'closed' })
  })

  it('a small frame goes to the stream as one send with its length (one yamux frame, one window update); a large one uncopied', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1 << 20)
    const sent: Uint8Array[] = []
    const send = out.send.bind(out)
    out.send = (data) => { sent.push(data instanceof Uint8Array ? data : data.subarray()); return send(data) }
    const sender = new FrameSender(out, 10_000)
    const small = frame(1, 300)
    await sender.send(small, AbortSignal.timeout(20_000))
    assert.equal(sent.length, 1)
    assert.deepEqual(sent[0], Uint8Array.of(0xac, 0x02, ...small), 'varint 300, then the frame')
    const large = frame(2, 100_000)
    await sender.send(large, AbortSignal.timeout(20_000))
    assert.equal(sent.length, 3)
    assert.equal(sent[2], large, 'the large frame itself, not a copy')
    assert.deepEqual(got.frames, [small, large])
    sender.close()
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
    assert.match(await failure(got), /above the 1000-byte maximum/)
    assert.equal(got.frames.length, 1, 'only the frame within the maximum was handed on')
  })

  it('refuses an empty frame and a length longer than five bytes', async () => {
    for (const [bytes, why] of [[[0], /empty frame/], [[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], /longer than 5 bytes/]] as const) {
      const [out, inbound] = await streamPair()
      const got = receive(inbound, 1 << 30)
      out.send(Uint8Array.from(bytes))
      assert.match(await failure(got), why)
      assert.equal(got.frames.length, 0)
    }
  })

  it('an announced length is not allocated up front: a member announcing a huge frame and sending little costs little, and is cut at the deadline', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 2 ** 40, 300) // a maximum no machine could allocate at once
    const before = process.memoryUsage().arrayBuffers
    out.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3)) // announces 2^35 − 1 bytes, sends 3
    assert.match(await failure(got), /not completed within 300 ms/)
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 << 20, 'no buffer of the announced size')
  })

  it('a sender that does not wait for the acknowledgements ends the stream: frames written back to back are not parsed one after another', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000)
    // 2,000 two-byte frames in one write: what a flooding member sends without reading acks.
    const flood = new Uint8Array(4_000)
    for (let i = 0; i < flood.length; i += 2) { flood[i] = 1; flood[i + 1] = i & 0xff }
    out.send(flood)
    assert.match(await failure(got), /sent without waiting for their acknowledgements/)
    assert.equal(got.frames.length, 1, 'the first frame only: the second waited for the next turn, the third ended the stream')
  })

  it('at most one frame per turn of the event loop: a frame completed in the same turn is acknowledged and handed on in the next', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000)
    out.send(Uint8Array.of(1, 7, 1, 8)) // two frames at once, then the sender waits
    await got.until(1)
    assert.equal(got.frames.length, 1, 'the second frame waits for the next turn')
    await got.until(2)
    assert.deepEqual(got.frames.map((f) => [...f]), [[7], [8]])
    got.stop.abort()
    assert.deepEqual(await got.end, { kind: 'closed' })
  })

  it('a frame begun and not finished within its deadline ends the stream (its buffer is let go)', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000, 200)
    out.send(Uint8Array.of(200, 1, 2, 3)) // announces 200 bytes, sends 3, then nothing
    assert.match(await failure(got), /not completed within 200 ms/)
    assert.equal(got.frames.length, 0)
  })

  it('a truncated frame (the sender gone mid-frame) is reported as failed, not handed on', async () => {
    const [out, inbound] = await streamPair()
    const got = receive(inbound, 1_000)
    out.send(Uint8Array.of(200, 1, 1, 2, 3))
    await out.close()
    assert.match(await failure(got), /ended in the middle of a frame/)
    assert.equal(got.frames.length, 0)
  })

  it('a receiver that answers with anything but one zero byte per frame closes the sender\'s channel', async () => {
    const [out, inbound] = await streamPair()
    const sender = new FrameSender(out, 10_000)
    inbound.addEventListener('message', () => { inbound.send(Uint8Array.of(0, 0)) }, { once: true }) // two acks for one frame
    await sender.send(frame(1), AbortSignal.timeout(20_000)) // the first acknowledges the frame
    assert.equal(sender.open, false, 'the second was not asked for')
    const [out2, inbound2] = await streamPair()
    const sender2 = new FrameSender(out2, 10_000)
    inbound2.addEventListener('message', () => { inbound2.send(Uint8Array.of(5)) }, { once: true })
    await assert.rejects(sender2.send(frame(1), AbortSignal.timeout(20_000)))
    assert.equal(sender2.open, false)
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
