/**
 * `npm run sim:accuracy`: does secure aggregation cost accuracy? Secure vs plain federated
 * averaging per round on MNIST and synthetic chest X-rays, IID and non-IID, with and without
 * dropout. The study lives in simulations/lib/accuracy-*.ts; the write-up is accuracy.md.
 */
import { isErrorNamed } from '../src/node/cli/usage-error.ts'
import { runAccuracyStudy } from './lib/accuracy-study.ts'

try {
  process.exitCode = await runAccuracyStudy(process.argv.slice(2), { log: (line) => console.log(line) })
} catch (err) {
  if (!isErrorNamed(err, 'UsageError')) throw err
  console.error(`sim:accuracy: ${err.message}`)
  process.exitCode = 2
}
