/**
 * `mqttkit bench conn|pub|sub`: picks the mode and runs it (see `bench/`).
 */
import { type BenchMode, parseBenchArgs } from '../bench/bench-args.js';
import { runBenchRole } from '../bench/bench-run.js';
import { ConnRole } from '../bench/conn-role.js';
import { PubRole } from '../bench/pub-role.js';
import { BenchOutput } from '../bench/report.js';
import { SubRole } from '../bench/sub-role.js';
import { ExitCode, usageError } from '../cli-error.js';
import { BENCH_HELP } from '../help/bench-help.js';

const MODES: readonly BenchMode[] = ['conn', 'pub', 'sub'];

/** Runs `mqttkit bench` with `argv` (after `bench`); resolves with the exit code. */
export async function runBench(argv: readonly string[]): Promise<number> {
  const [mode, ...rest] = argv;
  if (mode === undefined || mode === '--help') {
    process.stdout.write(BENCH_HELP);
    return mode === undefined ? ExitCode.Error : ExitCode.Ok;
  }
  if (!MODES.includes(mode as BenchMode)) {
    throw usageError('bench', `unknown mode '${mode}' (expected conn, pub or sub)`);
  }
  const args = parseBenchArgs(mode as BenchMode, rest);
  if (args.help) {
    process.stdout.write(BENCH_HELP);
    return ExitCode.Ok;
  }
  const output = new BenchOutput(args.json, args.quiet);
  const role =
    args.mode === 'conn'
      ? new ConnRole(args.durationMs > 0)
      : args.mode === 'pub'
        ? new PubRole(args)
        : new SubRole(args);
  return runBenchRole(args, role, output);
}
