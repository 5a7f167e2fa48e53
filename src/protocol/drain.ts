/**
 * Emptying a machine after a step, in the one order every driver uses: events first, then
 * messages. The node records a promise on a stage event ("my masked input of this round goes
 * to this attempt") before the message that follows it can leave; when the record fails, the
 * driver closes the session and the message is never handed on.
 */
import type { Outbound, ProtocolEvent, SansIoMachine } from './machine-io.ts'

export interface MachineSink {
  /** Without it, events stay queued for whoever polls them later. */
  event? (event: ProtocolEvent): void
  send (out: Outbound): void
  /** False once the driver wants nothing more from this machine (it ended the session). */
  open? (): boolean
}

export function drainMachine (machine: Pick<SansIoMachine, 'pollEvent' | 'pollOutbound'>, sink: MachineSink): void {
  const open = (): boolean => sink.open?.() ?? true
  if (sink.event !== undefined) for (let e = machine.pollEvent(); e !== undefined; e = machine.pollEvent()) if (open()) sink.event(e)
  for (let o = machine.pollOutbound(); o !== undefined; o = machine.pollOutbound()) if (open()) sink.send(o)
}
