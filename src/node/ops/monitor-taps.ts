/**
 * Where the monitor listens, without the node knowing: a logger and a member store that pass
 * everything on unchanged and show the monitor a copy (the coordinator and the driver stay as
 * they are), and a host observer. The record is written first and the monitor told after, so what `secagg status`
 * reports as ended is already on disk. A failure inside the monitor (or a metrics listener)
 * is logged as `monitor-error` and never reaches the node.
 */
import type { Fields, Level, Logger } from '../logger.ts'
import type { HostObserver } from '../net/host.ts'
import type { MemberStore } from '../store/member-store.ts'
import type { NodeMonitor } from './node-monitor.ts'

function contained (logger: Logger, step: () => void): void {
  try {
    step()
  } catch (err) {
    logger.error('monitor-error', { error: (err as Error).message })
  }
}

/** `base`, with every record (all levels) also shown to the monitor. */
export function monitoredLogger (base: Logger, monitor: NodeMonitor): Logger {
  const tee = (level: Level) => (event: string, fields?: Fields): void => {
    base[level](event, fields)
    contained(base, () => monitor.onLog(level, event, fields))
  }
  return { debug: tee('debug'), info: tee('info'), warn: tee('warn'), error: tee('error') }
}

/** `base`, with every round record shown to the monitor once it is written. */
export function monitoredStore (base: MemberStore, monitor: NodeMonitor, logger: Logger): MemberStore {
  return {
    nextRound: () => base.nextRound(),
    saveProgress: (nextRound) => base.saveProgress(nextRound),
    saveRound: (round, record) => {
      base.saveRound(round, record)
      contained(logger, () => monitor.onRoundRecord(round, record as Record<string, unknown>))
    },
    loadPromises: () => base.loadPromises(),
    savePromises: (record) => base.savePromises(record)
  }
}

/** The host's connection and frame events, shown to the monitor. */
export function monitoredHost (monitor: NodeMonitor, logger: Logger): HostObserver {
  return {
    connection: (peer, open) => contained(logger, () => monitor.onConnection(peer, open)),
    frame: (direction, peer, bytes) => contained(logger, () => monitor.onFrame(direction, peer, bytes))
  }
}
