// Checks that the end-to-end tests can run: node 18 or newer and the pinned npm packages installed.
// Imported by the test files before they load the SDK; run directly it is the ctest fixture `e2e/npm_deps`.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The reason the e2e tests cannot run here, or null. */
export function missingDependency() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 18)
    return `node ${process.versions.node} is too old for the e2e tests: node 18 or newer is needed`;
  if (!existsSync(path.join(e2eDir, 'node_modules', '@anthropic-ai', 'sdk', 'package.json')))
    return `@anthropic-ai/sdk is not installed in ${path.join(e2eDir, 'node_modules')}: `
      + 'run npm ci in tests/e2e (scripts/bootstrap test does it)';
  return null;
}

/** Exits 1 with the reason when the e2e tests cannot run. */
export function requireDependencies() {
  const problem = missingDependency();
  if (problem) {
    console.error(`switchyard e2e: ${problem}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  requireDependencies();
  console.log('switchyard e2e: dependencies present');
}
