/**
 * A worker thread of the parallel in-memory simulator (parallel-swarm.ts): it rebuilds the
 * scenario from the run's options and the shared draws — deterministic from the seed, so its
 * participants are the main thread's bit for bit — constructs only the participants assigned
 * to it, and steps them one window at a time, answering each batch with its step records.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { MachineHost } from './machine-host.ts'
import { openDraws, postableRecord } from './parallel-wire.ts'
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-wire.ts'
import { prepareScenario } from './scenario.ts'

const setup = workerData as WorkerSetup
const port = parentPort!
const post = (message: FromWorker): void => port.postMessage(message)

const { options } = setup
const s = prepareScenario(options, undefined, openDraws(setup, options.peers, options.dim))
// Progress every 64 members: enough for a live line, few enough messages.
const host = new MachineHost(s, setup.peers, false, (count) => { if (count % 64 === 0) post({ type: 'built', count }) })
post({ type: 'records', records: setup.peers.map((i) => {
  const record = host.startParticipant(i)
  host.reschedule(record)
  return postableRecord(record)
}) })

port.on('message', (message: ToWorker) => {
  if (message.type === 'finish') {
    post({ type: 'finished', clippedCoordinates: host.clippedCoordinates }) // the main thread then terminates this thread
    return
  }
  post({ type: 'records', records: host.runWindow(message.events, message.end, message.nextSeq).map(postableRecord) })
})
