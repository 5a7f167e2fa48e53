/**
 * Time for the node, injected (js-libp2p's components pattern) so the same node code runs on
 * the wall clock in `secagg start` and on a virtual clock in the multi-round simulator, where
 * waiting out a deadline costs no wall time and every run is reproducible.
 */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>

export interface Clock {
  now(): number
  /** Runs `fn` once after `ms`; an exception in `fn` is the caller's to contain. */
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle | undefined): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => { if (handle !== undefined) clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

/** Resolves after `ms` on `clock` (or at once when `signal` aborts). */
export function sleep (clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clock.clearTimeout(handle); resolve() }, { once: true })
  })
}

/** An AbortSignal that aborts after `ms` on `clock` (on a virtual clock, in virtual time). */
export function clockTimeout (clock: Clock, ms: number): AbortSignal {
  // The wall clock: Node's own timeout signal, whose timer does not keep a stopping process alive.
  if (clock === systemClock) return AbortSignal.timeout(ms)
  const controller = new AbortController()
  clock.setTimeout(() => controller.abort(new DOMException('deadline passed', 'TimeoutError')), ms)
  return controller.signal
}
