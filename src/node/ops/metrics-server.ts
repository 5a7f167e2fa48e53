/**
 * The Prometheus endpoint: GET /metrics in the text exposition format, on exactly the address
 * the operator gave (`--metrics HOST:PORT`; whether a non-loopback address is allowed is the
 * CLI's decision). Nothing else is served.
 */
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

/** The metrics address cannot be listened on (in use, not on this machine, privileged). */
export class MetricsListenError extends Error {
  static override name = 'MetricsListenError'
  override name = 'MetricsListenError'
}

export class MetricsServer {
  private constructor (private readonly server: Server, readonly url: string) {}

  static async open (host: string, port: number, registry: Registry): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n')
        return
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${err.message}\n`))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use; choose another port`
          : err.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine`
            : err.code === 'EACCES' ? `port ${port} needs privileges; choose a port above 1023`
              : err.message
        reject(new MetricsListenError(`--metrics ${host}:${port}: ${why}`))
      })
      server.listen(port, host, () => resolve())
    })
    const bound = server.address() as AddressInfo
    const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address
    return new MetricsServer(server, `http://${shown}:${bound.port}/metrics`)
  }

  async close (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
