/** One problem found in the configuration, with the key it concerns and where the value came from. */
export interface ConfigIssue {
  /** Key path in config-file terms, e.g. `limits.maximumPacketSize` or `listeners[1].port`. */
  readonly path: string;
  /** Why, e.g. `must be an integer from 16 to 268435460, got "big"`. */
  readonly message: string;
  /** Where the value came from: `broker.yaml`, `MQTTKIT_PORT`, `--port`, `--set`. */
  readonly source: string;
}

/** Renders one issue as the line users see: `limits.maximumPacketSize: must be ..., got "big" (in broker.yaml)`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.source.startsWith('-') || issue.source.startsWith('MQTTKIT_') ? 'from' : 'in';
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return `${path}${issue.message} (${where} ${issue.source})`;
}

/** The configuration cannot be used; `issues` lists every problem at once. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
