#!/usr/bin/env node
/**
 * The `faultline` command: `faultline docs|openapi|diff|lint|codegen <catalog>`.
 *
 * @see {@link run} for the commands and exit codes.
 */
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
