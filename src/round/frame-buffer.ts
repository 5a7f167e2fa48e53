/**
 * Frames of sessions this member has not begun yet, kept until it gets there on its own
 * deadline or with a confirmed result. A frame never moves a member, and junk cannot grow the
 * buffer: attempts move on every member's own deadline, so an honest peer is at most a step
 * or two ahead; and per sender and session only as many frames as one session has steps.
 */
export const BUFFER_ATTEMPTS_AHEAD = 2
export const BUFFER_FRAMES_PER_SENDER = 6

export interface BufferedFrame { readonly from: string, readonly payload: Uint8Array }

export class FrameBuffer {
  private readonly sessions = new Map<string, BufferedFrame[]>()

  /** Whether (round, attempt) is close enough to (atRound, atAttempt) to be kept at all. */
  static withinReach (round: number, attempt: number, atRound: number, atAttempt: number): boolean {
    if (round === atRound) return attempt > atAttempt && attempt <= atAttempt + BUFFER_ATTEMPTS_AHEAD
    return round === atRound + 1 && attempt <= BUFFER_ATTEMPTS_AHEAD
  }

  /** Keeps a frame; false when its sender already filled its share for that session. */
  add (round: number, attempt: number, frame: BufferedFrame): boolean {
    const key = `${round}/${attempt}`
    const queue = this.sessions.get(key) ?? []
    if (queue.filter((m) => m.from === frame.from).length >= BUFFER_FRAMES_PER_SENDER) return false
    queue.push(frame)
    this.sessions.set(key, queue)
    return true
  }

  /** The frames of (round, attempt); every session of `round` or earlier is dropped. */
  take (round: number, attempt: number): BufferedFrame[] {
    const frames = this.sessions.get(`${round}/${attempt}`) ?? []
    for (const k of [...this.sessions.keys()]) if (Number(k.split('/')[0]) <= round) this.sessions.delete(k)
    return frames
  }

  get size (): { sessions: number, frames: number } {
    let frames = 0
    for (const q of this.sessions.values()) frames += q.length
    return { sessions: this.sessions.size, frames }
  }
}
