/**
 * Frames over one long-lived /secagg stream per member and direction, each acknowledged.
 *
 * A stream per message cost ~1.5 ms of CPU per frame in libp2p (stream set-up, negotiation,
 * the close handshake, per-stream loggers): a 10-member round of ~80 frames spent ~100 ms of
 * its ~170 ms fixed cost there (docs/BENCHMARKS.md). A stream stays open instead, and frames
 * follow each other on it: an unsigned-varint length, then the bytes — the
 * length-prefixed framing of the multiformats unsigned-varint spec, as libp2p's own protocols
 * use. What the close handshake gave — the sender learns that the receiver read the whole
 * frame, and retries otherwise — an acknowledgement gives: after reading a frame the receiver
 * writes back one zero byte (an empty length-prefixed frame). A sender waits for it before its
 * next frame on the stream, so a frame is never silently lost in a dying connection's buffers.
 */
import { byteStream, lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The acknowledgement: an empty length-prefixed frame. */
const ACK = Uint8Array.of(0)
/** A frame of up to 2^32 − 1 bytes has at most a 5-byte length. */
const MAX_LENGTH_BYTES = 5

export class FrameChannelError extends Error {
  override readonly name = 'FrameChannelError'
  /** True when nothing of the frame was written: the channel had already failed, so a new one can be tried at once. */
  readonly unsent: boolean
  constructor (message: string, unsent = false) {
    super(message)
    this.unsent = unsent
  }
}

/**
 * The sending end: frames written one at a time, each acknowledged before the next starts.
 * Any failure leaves the channel closed (the stream aborted); the caller opens a new one.
 */
export class FrameSender {
  private readonly lp: LengthPrefixedStream<Stream>
  private queue: Promise<void> = Promise.resolve()
  private failed = false

  constructor (private readonly stream: Stream, private readonly ackTimeoutMs: number) {
    this.lp = lpStream(stream, { maxDataLength: 0 })
  }

  /** Whether frames can still go out on this stream. */
  get open (): boolean {
    return !this.failed && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  /**
   * Sends one frame and waits until the receiver has read all of it; throws if it did not.
   * Frames go one at a time. A caller that gives up (`signal`) stops waiting at once; its
   * frame is skipped if it had not started, and otherwise finishes — acknowledgement
   * included — so the channel stays in step for the frames behind it.
   */
  async send (data: Uint8Array, signal: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      if (signal.aborted) return
      if (!this.open) throw new FrameChannelError('the stream is closed', true)
      try {
        const deadline = AbortSignal.timeout(this.ackTimeoutMs)
        await this.lp.write(data, { signal: deadline })
        const ack = await this.lp.read({ signal: deadline })
        if (ack.byteLength !== 0) throw new FrameChannelError(`expected an empty acknowledgement, got ${ack.byteLength} bytes`)
      } catch (err) {
        this.close(err as Error) // mid-frame: the stream is out of step, nothing more can go on it
        throw err
      }
    })
    this.queue = turn.catch(() => {})
    await untilAborted(turn, signal)
  }

  close (err?: Error): void {
    if (this.failed) return
    this.failed = true
    if (err !== undefined) this.stream.abort(err)
    else void this.stream.close().catch(() => {})
  }
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise itself goes on). */
export function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Why a receiving stream stopped. */
export type ReceiveEnd =
  | { readonly kind: 'closed' } // the sender closed or reset the stream between frames
  | { readonly kind: 'failed', readonly error: Error } // mid-frame: a truncated, oversized or unreadable frame

/**
 * The receiving end: reads frames until the stream ends, acknowledging each one before
 * handing it on. A frame above `maxBytes` is refused from its length alone, before its bytes
 * are buffered (the stream is aborted); at most `maxBytes` + a length are ever buffered.
 */
export async function receiveFrames (stream: Stream, maxBytes: number, signal: AbortSignal, onFrame: (data: Uint8ArrayList) => void): Promise<ReceiveEnd> {
  const bytes = byteStream(stream, { maxBufferSize: maxBytes + MAX_LENGTH_BYTES })
  for (;;) {
    let first: Uint8ArrayList
    try {
      first = await bytes.read({ bytes: 1, signal })
    } catch (err) {
      // More than a frame's worth arrived at once: an oversized frame, refused by the buffer bound.
      if ((err as Error).name === 'StreamBufferError') return { kind: 'failed', error: new FrameChannelError(`message above the ${maxBytes}-byte maximum`) }
      // Nothing of a next frame had arrived: the stream ended or was reset (or the node is stopping).
      return { kind: 'closed' }
    }
    try {
      let length = 0
      let byte = first.get(0)
      for (let i = 0; ; i++) {
        length += (byte & 0x7f) * 2 ** (7 * i)
        if ((byte & 0x80) === 0) break
        if (i + 1 >= MAX_LENGTH_BYTES) throw new FrameChannelError('frame length longer than 5 bytes')
        byte = (await bytes.read({ bytes: 1, signal })).get(0)
      }
      if (length > maxBytes) throw new FrameChannelError(`message above the ${maxBytes}-byte maximum (${length} bytes announced)`)
      const data = await bytes.read({ bytes: length, signal })
      await bytes.write(ACK, { signal })
      onFrame(data)
    } catch (err) {
      const error = (err as Error).name === 'StreamBufferError' ? new FrameChannelError(`message above the ${maxBytes}-byte maximum`) : err as Error
      stream.abort(error)
      return { kind: 'failed', error }
    }
  }
}
