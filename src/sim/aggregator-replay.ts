/**
 * The aggregator's steps of a simulated run, given again to a fresh aggregator. The machine
 * draws no randomness, so the same calls take it through the same states to the same result;
 * what a replay costs is the aggregator's own work, without the members' machines sharing its
 * thread and heap (whose collections otherwise land in whichever machine allocates).
 */
import { drainMachine } from '../protocol/index.ts'
import type { Aggregator, ProtocolEvent } from '../protocol/index.ts'
import type { AggregatorCall } from './scenario.ts'

/** Makes `calls` on `aggregator` in order, emptying it after each as the simulator does; returns its events. */
export function replayAggregator (aggregator: Aggregator, calls: Iterable<AggregatorCall>): ProtocolEvent[] {
  const events: ProtocolEvent[] = []
  const sink = { event: (e: ProtocolEvent) => { events.push(e) }, send: () => {} }
  for (const call of calls) {
    if (call.kind === 'start') aggregator.start(call.now)
    else if (call.kind === 'receive') aggregator.receive(call.from, call.data, call.now)
    else aggregator.handleTimeout(call.now)
    drainMachine(aggregator, sink)
  }
  return events
}
