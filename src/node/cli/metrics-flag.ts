/**
 * `--metrics HOST:PORT` (`[V6]:PORT` for IPv6): where `secagg start` serves Prometheus
 * metrics. Loopback only unless `--metrics-public`: the metrics name the members, who dropped
 * out of which round and how the rounds went — consortium business, not for the network at
 * large. Port 0 takes a free port (`secagg status` shows which).
 */
import { isIP } from 'node:net'
import { UsageError } from './usage-error.ts'

export interface MetricsListen { readonly host: string, readonly port: number }

function isLoopback (host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  const v6 = host.toLowerCase()
  return v6 === '::1' || /^::ffff:127\./.test(v6)
}

export function metricsFlag (value: string | undefined, allowPublic: boolean): MetricsListen | undefined {
  if (value === undefined) {
    if (allowPublic) throw new UsageError('--metrics-public needs --metrics HOST:PORT')
    return undefined
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value)
  const host = m?.[1] ?? m?.[2]
  const port = Number(m?.[3])
  if (m === null || host === undefined || port > 65535) throw new UsageError(`--metrics must be HOST:PORT (e.g. 127.0.0.1:9464, [::1]:9464), got '${value}'`)
  if (host !== 'localhost' && isIP(host) === 0) throw new UsageError(`--metrics takes an IP address (or localhost), got '${host}'`)
  if (!allowPublic && !isLoopback(host)) {
    throw new UsageError(`--metrics ${value} is not a loopback address; the metrics show members and round outcomes, so add --metrics-public to serve them there`)
  }
  return { host, port }
}
