/**
 * Multiaddr text as operators write it in flags, DIR/config.json and the consortium file.
 * The node's only transport is TCP (src/node/net/host.ts), so an address is useful only with
 * a TCP port; a mistake gets the text as written and a corrected form when one can be
 * guessed (`127.0.0.1:4000` → /ip4/127.0.0.1/tcp/4000). Checked when a file is loaded, so a
 * bad address stops `secagg start` with the file and field named instead of libp2p's stack.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'

export const EXAMPLE_MULTIADDR = '/ip4/127.0.0.1/tcp/4000'

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/

/** The multiaddr an operator probably meant by `host:port`, `[ipv6]:port` or `tcp://host:port`. */
function guessMultiaddr (text: string): string | undefined {
  const hostPort = /^(?:tcp:\/\/)?(?:\[([0-9a-fA-F:.]+)\]|([^/:[\]\s]+)):(\d{1,5})\/?$/.exec(text.trim())
  if (hostPort === null) return undefined
  const [, ipv6, host, port] = hostPort
  if (ipv6 !== undefined) return `/ip6/${ipv6}/tcp/${port!}`
  return IPV4.test(host!) ? `/ip4/${host!}/tcp/${port!}` : `/dns/${host!}/tcp/${port!}`
}

function tcpPort (ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'tcp')?.value
}

/** Why `text` is not a multiaddr with a TCP port, or undefined when it is one. */
export function tcpMultiaddrProblem (text: string): string | undefined {
  let ma: Multiaddr
  try {
    ma = multiaddr(text)
  } catch (err) {
    // The parser's reason helps only when the text was meant as a multiaddr (`/ip4/.../tcp/99999`).
    const why = text.startsWith('/') ? ` (${(err as Error).message})` : ''
    return `'${text}' is not a multiaddr${why}; write it as ${guessMultiaddr(text) ?? EXAMPLE_MULTIADDR}`
  }
  if (tcpPort(ma) === undefined) return `'${text}' has no TCP port (members connect over TCP only); write it like ${EXAMPLE_MULTIADDR}`
  return undefined
}

/** Why other members could not dial `text` (a valid TCP multiaddr), or undefined when they could. */
export function undialableReason (text: string): string | undefined {
  const ma = multiaddr(text)
  const host = ma.getComponents()[0]
  if (host?.value === '0.0.0.0' || host?.value === '::') return `${host.value} means "every interface of this machine", which others cannot dial`
  if (tcpPort(ma) === '0') return 'TCP port 0 means "a random free port at start", which others cannot know'
  return undefined
}

/** Why `text` is not a bootstrap address: libp2p's bootstrap discovery silently skips one without /p2p/<peer id>. */
export function bootstrapMultiaddrProblem (text: string): string | undefined {
  const problem = tcpMultiaddrProblem(text)
  if (problem !== undefined) return problem
  if (!multiaddr(text).getComponents().some((c) => c.name === 'p2p')) return `'${text}' names no peer, so libp2p would skip it; append /p2p/<the member's peer id>`
  return undefined
}

function fieldChecking (problemOf: (text: string) => string | undefined): z.ZodType<string> {
  return z.string().superRefine((text, ctx) => {
    const problem = problemOf(text)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
  })
}

/** A string field holding a multiaddr with a TCP port; the issue names the text and the fix. */
export const tcpMultiaddrField = fieldChecking(tcpMultiaddrProblem)

/** A string field holding a bootstrap address (TCP, with /p2p/<peer id>). */
export const bootstrapMultiaddrField = fieldChecking(bootstrapMultiaddrProblem)
