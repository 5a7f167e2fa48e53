/** Bad flags or input files: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  static override name = 'UsageError'
  override name = 'UsageError'
}
