/** Bad flags or input files: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  static override name = 'UsageError'
  override name = 'UsageError'
}

/** Matches by `.name`, not `instanceof`: a module can be loaded twice (tsx under mocha does). */
export function isErrorNamed (err: unknown, ...names: string[]): err is Error {
  return err instanceof Error && names.includes(err.name)
}
