/**
 * Frames of sessions this member has not begun yet, kept until it gets there (on its own
 * deadline, with a confirmed result, or following the others — alignment.ts). A frame never
 * moves a member, and junk cannot grow the buffer: only the next two attempts and the next
 * round are kept (members in phase are at most that far apart; members further apart find
 * each other through their POSITION frames instead), and per sender and session only as many
 * frames as one session has steps.
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

  /** The frames of (round, attempt); every earlier session is dropped, later ones kept. */
  take (round: number, attempt: number): BufferedFrame[] {
    const frames = this.sessions.get(`${round}/${attempt}`) ?? []
    for (const k of [...this.sessions.keys()]) {
      const [r, a] = k.split('/').map(Number) as [number, number]
      if (r < round || (r === round && a <= attempt)) this.sessions.delete(k)
    }
    return frames
  }

  get size (): { sessions: number, frames: number } {
    let frames = 0
    for (const q of this.sessions.values()) frames += q.length
    return { sessions: this.sessions.size, frames }
  }
}
