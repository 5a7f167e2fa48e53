/**
 * Frames over one long-lived /secagg stream per member and direction, each acknowledged.
 *
 * A stream per message cost ~1.5 ms of CPU per frame in libp2p (stream set-up, negotiation,
 * the close handshake, per-stream loggers): a 10-member round of ~80 frames spent ~100 ms of
 * its ~170 ms fixed cost there (docs/BENCHMARKS.md). A stream stays open instead, and frames
 * follow each other on it: an unsigned-varint length, then the bytes — the length-prefixed
 * framing of the multiformats unsigned-varint spec, as libp2p's own protocols use. What the
 * close handshake gave — the sender learns that the receiver read the whole frame, and
 * retries otherwise — an acknowledgement gives: after reading a frame the receiver writes
 * back one zero byte (an empty length-prefixed frame).
 *
 * The exchange is stop-and-wait, and the receiver enforces it, because a member can be
 * malicious: bytes of a next frame that arrive before the acknowledgement could have reached
 * the sender (in the same turn of the event loop) end the stream, so a member cannot make a
 * node parse thousands of frames in one go and starve everything else. Each frame's bytes are
 * copied into a buffer of its own as they arrive — growing with what arrived, never beyond
 * the announced length or the maximum, and no views that would keep the transport's larger
 * buffers alive — and a frame must complete within a deadline once it has begun.
 */
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { unsignedVarint } from '../../protocol/wire/varint.ts'

/** The acknowledgement: an empty length-prefixed frame. */
const ACK = Uint8Array.of(0)
/** A frame of up to 2^35 − 1 bytes has at most a 5-byte length; the maximum is far below. */
const MAX_LENGTH_BYTES = 5
/** A frame's buffer starts at this size (or the frame's, if smaller) and doubles as bytes arrive. */
const INITIAL_FRAME_BUFFER = 64 * 1024
/** Frames up to this size are sent in one piece with their length (copied once). */
const COALESCE_BYTES = 64 * 1024

export class FrameChannelError extends Error {
  override readonly name = 'FrameChannelError'
  /** True when nothing of the frame was written: the channel had already failed, so a new one can be tried at once. */
  readonly unsent: boolean
  constructor (message: string, unsent = false) {
    super(message)
    this.unsent = unsent
  }
}

/** Anything a stream or signal rejects with (an Event, a DOMException) as an Error with a readable message. */
export function asError (err: unknown): Error {
  if (err instanceof Error) return err
  const type = (err as { type?: unknown } | undefined)?.type
  return new FrameChannelError(typeof type === 'string' ? `stream ${type}` : String(err))
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

function chunksOf (evt: StreamMessageEvent): Iterable<Uint8Array> {
  return evt.data instanceof Uint8Array ? [evt.data] : evt.data
}

/**
 * The sending end: frames written one at a time, each acknowledged before the next starts.
 * Any failure leaves the channel closed (the stream aborted); the caller opens a new one.
 */
export class FrameSender {
  private queue: Promise<void> = Promise.resolve()
  private failed = false
  /** The acknowledgement being waited for, if a frame is out. */
  private waiting: { resolve: () => void, reject: (err: Error) => void } | undefined

  constructor (private readonly stream: Stream, private readonly ackTimeoutMs: number) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onClose)
  }

  /** Whether frames can still go out on this stream. */
  get open (): boolean {
    return !this.failed && this.stream.status === 'open' && this.stream.writeStatus === 'writable'
  }

  // Nothing is buffered: every byte the receiver sends must be the one acknowledgement awaited.
  private readonly onMessage = (evt: StreamMessageEvent): void => {
    for (const chunk of chunksOf(evt)) {
      for (const byte of chunk) {
        const waiting = this.waiting
        if (byte !== 0 || waiting === undefined) {
          this.close(new FrameChannelError('the receiver sent something other than one acknowledgement per frame'))
          return
        }
        this.waiting = undefined
        waiting.resolve()
      }
    }
  }

  private readonly onClose = (evt: StreamCloseEvent): void => {
    this.close(evt.error ?? new FrameChannelError('the stream closed'))
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
      const acknowledged = new Promise<void>((resolve, reject) => { this.waiting = { resolve, reject } })
      acknowledged.catch(() => {}) // awaited below; a close while draining must not go unhandled
      try {
        const deadline = AbortSignal.timeout(this.ackTimeoutMs)
        if (!this.writeFrame(data)) await this.stream.onDrain({ signal: deadline })
        await untilAborted(acknowledged, deadline)
      } catch (err) {
        const error = asError(err)
        this.close(error) // mid-frame: the stream is out of step, nothing more can go on it
        throw error
      }
    })
    this.queue = turn.catch(() => {})
    await untilAborted(turn, signal)
  }

  /**
   * Hands the length and the frame to the stream; false if it asks for a drain. Each send is
   * its own yamux data frame, its own Noise message and socket write, and earns its own
   * window update from the receiver, so a small frame goes as one send with its length
   * (a copy of at most 64 KiB); a large one is not copied.
   */
  private writeFrame (data: Uint8Array): boolean {
    const length = unsignedVarint(data.length)
    if (data.length > COALESCE_BYTES) {
      const queued = this.stream.send(length)
      return this.stream.send(data) && queued
    }
    const whole = new Uint8Array(length.length + data.length)
    whole.set(length, 0)
    whole.set(data, length.length)
    return this.stream.send(whole)
  }

  close (err?: Error): void {
    if (this.failed) return
    this.failed = true
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onClose)
    this.waiting?.reject(err ?? new FrameChannelError('the channel was closed'))
    this.waiting = undefined
    if (err !== undefined) this.stream.abort(err)
    else void this.stream.close().catch(() => {})
  }
}

/** Why a receiving stream stopped. */
export type ReceiveEnd =
  | { readonly kind: 'closed' } // the sender closed or reset the stream between frames, or the node is stopping
  | { readonly kind: 'failed', readonly error: Error } // a truncated, oversized, late or out-of-turn frame

/**
 * The receiving end: reads frames until the stream ends, acknowledging each one before
 * handing it on. A frame above `maxBytes` is refused from its length alone; an empty one is
 * refused too (no message is empty). The stream is aborted on any failure.
 */
export function receiveFrames (stream: Stream, maxBytes: number, signal: AbortSignal, onFrame: (data: Uint8Array) => void, frameDeadlineMs: number): Promise<ReceiveEnd> {
  return new Promise<ReceiveEnd>((resolve) => {
    let length = 0
    let lengthBytes = 0
    let body: Uint8Array | undefined
    let filled = 0
    let deadline: NodeJS.Timeout | undefined
    /** An acknowledgement went out in this turn of the event loop: a frame completed now waits for the next turn. */
    let justAcknowledged = false
    let flushScheduled = false
    /** A complete frame held for the next turn, not yet acknowledged: nothing more may arrive meanwhile. */
    let pending: Uint8Array | undefined
    let over = false

    const finish = (end: ReceiveEnd): void => {
      if (over) return
      over = true
      clearTimeout(deadline)
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
      stream.removeEventListener('remoteCloseWrite', onRemoteCloseWrite)
      signal.removeEventListener('abort', onStop)
      body = undefined
      pending = undefined
      if (end.kind === 'failed') stream.abort(end.error)
      resolve(end)
    }
    const fail = (message: string): void => finish({ kind: 'failed', error: new FrameChannelError(message) })
    const midFrame = (): boolean => lengthBytes > 0 || pending !== undefined

    // One frame per turn of the event loop: a member cannot make this node parse a burst of
    // frames in one go. A second frame completed in the same turn waits, unacknowledged, for
    // the next; since an honest sender waits for each acknowledgement, any byte arriving while
    // it waits was sent without waiting, and ends the stream.
    const flush = (): void => {
      flushScheduled = false
      justAcknowledged = false
      if (over || pending === undefined) return
      const frame = pending
      pending = undefined
      deliver(frame)
    }
    const deliver = (frame: Uint8Array): void => {
      try {
        stream.send(ACK) // one byte: queued whatever the stream's write buffer says
      } catch (err) {
        finish({ kind: 'failed', error: asError(err) })
        return
      }
      justAcknowledged = true
      if (!flushScheduled) {
        flushScheduled = true
        setImmediate(flush)
      }
      try {
        onFrame(frame)
      } catch (err) {
        finish({ kind: 'failed', error: asError(err) })
      }
    }

    const onChunk = (chunk: Uint8Array): void => {
      let i = 0
      while (i < chunk.length && !over) {
        if (pending !== undefined) return fail('frames were sent without waiting for their acknowledgements')
        if (body === undefined) {
          if (lengthBytes === 0) deadline = setTimeout(() => fail(`a frame was not completed within ${frameDeadlineMs} ms of its first byte`), frameDeadlineMs)
          const byte = chunk[i++]!
          length += (byte & 0x7f) * 2 ** (7 * lengthBytes)
          lengthBytes++
          if ((byte & 0x80) !== 0) {
            if (lengthBytes >= MAX_LENGTH_BYTES) return fail(`frame length longer than ${MAX_LENGTH_BYTES} bytes`)
            continue
          }
          if (length > maxBytes) return fail(`message above the ${maxBytes}-byte maximum (${length} bytes announced)`)
          if (length === 0) return fail('an empty frame (no message is empty)')
          // The buffer grows with what arrives, not with what is announced: a member that
          // announces full-size frames and resets the streams would otherwise make this node
          // allocate the maximum each time, faster than garbage collection frees it.
          body = new Uint8Array(Math.min(length, INITIAL_FRAME_BUFFER))
          filled = 0
          continue
        }
        const n = Math.min(length - filled, chunk.length - i)
        if (filled + n > body.length) {
          const grown = new Uint8Array(Math.min(length, Math.max(2 * body.length, filled + n)))
          grown.set(body.subarray(0, filled))
          body = grown
        }
        body.set(chunk.subarray(i, i + n), filled)
        filled += n
        i += n
        if (filled < length) continue
        const frame = body
        body = undefined
        length = 0
        lengthBytes = 0
        clearTimeout(deadline)
        if (justAcknowledged) pending = frame
        else deliver(frame)
      }
    }
    const onMessage = (evt: StreamMessageEvent): void => {
      try {
        for (const chunk of chunksOf(evt)) {
          onChunk(chunk)
          if (over) return
        }
      } catch (err) {
        // Nothing may escape an event listener (it would be an uncaught exception): e.g. a
        // frame buffer the process cannot allocate ends this stream, not the node.
        finish({ kind: 'failed', error: asError(err) })
      }
    }
    const ended = (): void => {
      if (midFrame()) fail('the stream ended in the middle of a frame')
      else finish({ kind: 'closed' })
    }
    const onClose = (): void => ended()
    const onRemoteCloseWrite = (): void => ended()
    const onStop = (): void => finish({ kind: 'closed' })

    if (signal.aborted) { finish({ kind: 'closed' }); return }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
    stream.addEventListener('remoteCloseWrite', onRemoteCloseWrite)
    signal.addEventListener('abort', onStop, { once: true })
  })
}
