/**
 * What `secagg start` gives the operator besides the node itself: the monitor, the control
 * socket `secagg status` talks to, and (with --metrics) the Prometheus endpoint with the
 * node's metrics and libp2p's own. Opened before the node joins the network, so a port in use
 * or a node already running in the directory stops the start before anything is sent; closed
 * after the node stopped, removing the socket.
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { Registry } from 'prom-client'
import type { Logger } from '../logger.ts'
import type { HostOptions } from '../net/host.ts'
import type { MemberStore } from '../store/member-store.ts'
import { ControlServer } from './control-server.ts'
import { MetricsServer } from './metrics-server.ts'
import { monitoredHost, monitoredLogger, monitoredStore } from './monitor-taps.ts'
import { NodeMonitor } from './node-monitor.ts'
import type { NodeMonitorInit } from './node-monitor.ts'
import { nodeMetrics } from './node-metrics.ts'

export interface NodeOpsOptions extends NodeMonitorInit {
  readonly dir: string
  /** Serve /metrics here (the CLI has already checked the address is allowed). */
  readonly metrics?: { readonly host: string, readonly port: number }
}

export class NodeOps {
  private constructor (
    readonly monitor: NodeMonitor,
    private readonly control: ControlServer,
    private readonly metricsServer: MetricsServer | undefined,
    private readonly libp2pMetrics: HostOptions['metrics']
  ) {}

  static async open (options: NodeOpsOptions): Promise<NodeOps> {
    const monitor = new NodeMonitor(options)
    let metricsServer: MetricsServer | undefined
    let libp2pMetrics: HostOptions['metrics']
    if (options.metrics !== undefined) {
      const registry = new Registry()
      monitor.listen(nodeMetrics(registry, options.members.filter((m) => m.peerId !== options.self).length))
      // libp2p's transfer, connection and stream metrics, and Node's process metrics, in the same registry.
      libp2pMetrics = prometheusMetrics({ registry, statfsLocation: options.dir })
      metricsServer = await MetricsServer.open(options.metrics.host, options.metrics.port, registry)
      monitor.metricsAddress = metricsServer.url
    }
    let control: ControlServer
    try {
      control = await ControlServer.open(options.dir, () => monitor.status())
    } catch (err) {
      await metricsServer?.close()
      throw err
    }
    return new NodeOps(monitor, control, metricsServer, libp2pMetrics)
  }

  /** `base`, also showing every record to the monitor. */
  logger (base: Logger): Logger { return monitoredLogger(base, this.monitor) }
  /** `base`, also showing every round record to the monitor. */
  store (base: MemberStore, logger: Logger): MemberStore { return monitoredStore(base, this.monitor, logger) }
  /** For the libp2p host: its connection and frame events, and libp2p's own metrics when --metrics is on. */
  hostHooks (logger: Logger): Pick<HostOptions, 'observer' | 'metrics'> {
    return { observer: monitoredHost(this.monitor, logger), ...(this.libp2pMetrics !== undefined ? { metrics: this.libp2pMetrics } : {}) }
  }

  get controlSocket (): string { return this.control.path }

  async close (): Promise<void> {
    await this.control.close()
    await this.metricsServer?.close()
  }
}
