/**
 * The aggregator's recorded steps (SimulationObserver.aggregatorCall) as bytes, so a fresh
 * process can replay them: per call a kind byte (0 start, 1 receive, 2 timeout), the virtual
 * time as a float64, and for a receive the sender's id and the message, each length-prefixed.
 * They go from process to process through pipes, never to disk: the messages include the
 * simulated members' revealed shares.
 */
import type { AggregatorCall } from '../src/sim/memory-swarm.ts'

const KINDS = ['start', 'receive', 'timeout'] as const

export function encodeAggregatorCalls (calls: readonly AggregatorCall[]): Buffer {
  const parts: Uint8Array[] = []
  for (const call of calls) {
    const head = Buffer.alloc(9)
    head.writeUInt8(KINDS.indexOf(call.kind), 0)
    head.writeDoubleLE(call.now, 1)
    parts.push(head)
    if (call.kind !== 'receive') continue
    const from = Buffer.from(call.from, 'utf8')
    const lengths = Buffer.alloc(6)
    lengths.writeUInt16LE(from.length, 0)
    lengths.writeUInt32LE(call.data.length, 2)
    parts.push(lengths, from, call.data)
  }
  return Buffer.concat(parts)
}

export function decodeAggregatorCalls (bytes: Buffer): AggregatorCall[] {
  const calls: AggregatorCall[] = []
  for (let at = 0; at < bytes.length;) {
    const kind = KINDS[bytes.readUInt8(at)]
    const now = bytes.readDoubleLE(at + 1)
    at += 9
    if (kind === 'start' || kind === 'timeout') { calls.push({ kind, now }); continue }
    if (kind !== 'receive') throw new Error(`recorded aggregator calls: unknown kind at byte ${at - 9}`)
    const fromLength = bytes.readUInt16LE(at)
    const dataLength = bytes.readUInt32LE(at + 2)
    at += 6
    const from = bytes.toString('utf8', at, at + fromLength)
    at += fromLength
    calls.push({ kind, from, data: new Uint8Array(bytes.buffer, bytes.byteOffset + at, dataLength), now })
    at += dataLength
  }
  return calls
}
