/**
 * `secagg status`: asks the node running in a member directory for its status over the
 * control socket (src/node/ops/control-protocol.ts) and prints it.
 */
import { requestStatus } from '../ops/control-client.ts'
import { formatStatus } from '../ops/status-format.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const STATUS_HELP = `Usage: secagg status --dir DIR [--json]

Shows what the node running in DIR is doing: its peer id and addresses, the members it is
connected to, the round, attempt, stage and role it is in, the aggregator, the last result,
round counts, traffic, uptime and the metrics address. Exit 1 when no node runs in DIR.

  --dir DIR   member directory of a running 'secagg start'
  --json      print the status as one JSON object
`

export async function runStatusCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { dir: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'status')
  if (values.help === true) { io.stdout(STATUS_HELP); return 0 }
  if (values.dir === undefined) throw new UsageError('--dir is required. Run \'secagg status --help\'.')
  let status
  try {
    status = await requestStatus(values.dir)
  } catch (err) {
    if (!isErrorNamed(err, 'NoNodeError', 'ControlRequestError')) throw err
    io.stderr(err.message)
    return 1
  }
  io.stdout(values.json === true ? JSON.stringify(status) : formatStatus(status))
  return 0
}
