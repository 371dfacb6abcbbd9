/** A password or ACL file that cannot be used: every problem, each naming the file and line. */
export class AuthFileError extends Error {
  /** The file that was read. */
  readonly file: string;
  /** One sentence per problem, `FILE:LINE: why` (or `FILE: why` for the whole file). */
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly string[], options?: ErrorOptions) {
    super(problems.join('; '), options);
    this.name = 'AuthFileError';
    this.file = file;
    this.problems = problems;
  }
}

/** `ENOENT` and friends in words, for "cannot read FILE: ...". */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
