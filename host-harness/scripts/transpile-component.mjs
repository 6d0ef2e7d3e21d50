#!/usr/bin/env node
// `make build`: transpiles the plugin's WebAssembly component into an ES module and core wasm
// files with jco, for the component host (src/component-host). Instantiation is synchronous,
// with the imports given at instantiation (one instance per host object), and a `result`
// error is thrown as its payload, the WIT `plugin-error`.
//
// Usage: node scripts/transpile-component.mjs <component.wasm> <out-dir>
import { rm } from 'node:fs/promises';
import { transpile, writeFiles } from '@bytecodealliance/jco-transpile';

const [component, outDir] = process.argv.slice(2);
if (!component || !outDir) {
  process.stderr.write('usage: transpile-component.mjs <component.wasm> <out-dir>\n');
  process.exit(2);
}
await rm(outDir, { recursive: true, force: true });
const { files } = await transpile(component, {
  name: 'twilio-plugin',
  outDir,
  instantiation: 'sync',
  noComponentErrorWrapping: true,
  emitTypescriptDeclarations: true,
});
await writeFiles(files);
process.stdout.write(`transpiled ${component} into ${outDir} (${Object.keys(files).length} files)\n`);
