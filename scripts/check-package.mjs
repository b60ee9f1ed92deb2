// Checks the built package as a consumer sees it: publint (package.json and files) and
// @arethetypeswrong/cli (types resolve for every subpath under Node 16+ and bundlers).
import { execFileSync } from 'node:child_process';
import { problems } from './entries.mjs';

const found = problems();
if (found.length > 0) {
  process.stderr.write(`${found.join('\n')}\n`);
  process.exit(1);
}

function run(command, args) {
  process.stdout.write(`$ ${command} ${args.join(' ')}\n`);
  execFileSync(command, args, { stdio: 'inherit' });
}

run('npx', ['--no-install', 'publint', '--strict']);
// ESM-only by design: the CommonJS `node10` resolution is not a target.
run('npx', ['--no-install', 'attw', '--pack', '.', '--profile', 'esm-only']);
