/**
 * `npm start`: the end-to-end demo (see src/demo/main.ts). `npm start -- --help` lists its
 * options.
 */
import { main } from '../src/demo/main.js';

process.exitCode = await main(process.argv.slice(2));
