/**
 * `npm run bench`: speed and memory goals, each printed as a ratio against a limit measured
 * in the same run. Sections can be picked: `npm run bench -- crypto`.
 */
import { cpus } from 'node:os'
import { benchCrypto } from './crypto.ts'
import { benchProtocol, benchScale } from './protocol.ts'
import { benchRound } from './round.ts'
import { benchSwarm } from './swarm.ts'
import { benchTrain } from './train.ts'

const SECTIONS: Record<string, () => void | Promise<void>> = {
  crypto: benchCrypto,
  round: benchRound,
  protocol: benchProtocol,
  scale: benchScale,
  swarm: benchSwarm,
  train: benchTrain
}

const wanted = process.argv.slice(2)
const unknown = wanted.filter((w) => !(w in SECTIONS))
if (unknown.length > 0) {
  console.error(`unknown bench section(s): ${unknown.join(', ')}; choose from ${Object.keys(SECTIONS).join(', ')}`)
  process.exit(2)
}
console.log(`# secagg-swarm bench — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`)
for (const [name, run] of Object.entries(SECTIONS)) {
  if (wanted.length === 0 || wanted.includes(name)) await run()
}
