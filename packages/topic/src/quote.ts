// Longest excerpt of an offending string quoted in an error message: messages stay readable and a
// 64 KiB topic does not end up in every log line.
const QUOTE_LIMIT = 80;

/** The text JSON-quoted and cut to a readable length, for error messages. */
export function quote(text: string): string {
  return text.length > QUOTE_LIMIT
    ? `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}...`
    : JSON.stringify(text);
}
