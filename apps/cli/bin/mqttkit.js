#!/usr/bin/env node
// The mqttkit command: plain JavaScript that loads the build output (`pnpm build` first).
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error) => {
    console.error(`mqttkit: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
