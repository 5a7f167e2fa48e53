/** Runs the CLI in-process, capturing stdout and stderr. */
import { main } from '../../src/node/cli/main.ts'

export async function cli (...argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: (t) => { out += t + '\n' }, stderr: (t) => { err += t + '\n' } })
  return { code, out, err }
}
