/**
 * How a shared subscription group picks the member that receives one message (section 4.8.2 leaves
 * the choice to the server).
 */

/** What a selector callback learns about the message being delivered to a shared group. */
export interface ShareContext {
  /** The group's ShareName. */
  readonly shareName: string;
  /** The group's Topic Filter, without the `$share/{ShareName}/` prefix. */
  readonly topicFilter: string;
  /** The Topic Name of the message. */
  readonly topic: string;
}

/**
 * Picks one member of a shared group for one message, or `undefined` to deliver to none of them.
 * `members` and `context` are only valid during the call. Returning a value that is not in `members`
 * also means "none". The callback must not call back into the index.
 */
export type ShareSelector<S> = (members: readonly S[], context: ShareContext) => S | undefined;

/**
 * `'round-robin'` (default) hands messages to the members in turn; `'random'` picks uniformly; a
 * `ShareSelector` lets the broker decide (for example the member with the fewest messages in flight).
 */
export type ShareStrategy<S> = 'round-robin' | 'random' | ShareSelector<S>;
