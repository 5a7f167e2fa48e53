#!/usr/bin/env node
// The `secagg` command. Runs the TypeScript sources directly, so no build step is needed
// (typescript-hooks.js; tsx where this Node lacks the APIs those hooks use).
const [major] = process.versions.node.split('.').map(Number)
if (major < 22) {
  process.stderr.write(`secagg needs Node.js 22 or newer (this is ${process.version}). ` +
    'Run it through npm so the pinned node@22 from node_modules is used: `npx secagg ...`.\n')
  process.exit(1)
}
// `secagg logs ... | head`: when the reader goes away, stop quietly as other Unix tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
const { registerTypeScriptHooks } = await import('./typescript-hooks.js')
if (!registerTypeScriptHooks()) {
  const { register } = await import('tsx/esm/api')
  register()
}
const { main } = await import('../src/node/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
