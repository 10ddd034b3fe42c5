/**
 * A failure the caller can fix: the message says what was wrong and what to send instead, and
 * `field` names the argument to fix. Rules throw it for input they cannot judge (an unknown
 * criterion id, no tier signal at all); the store and the application layers extend it. Every
 * surface shows it as the caller's mistake (an `isError` tool result, InvalidParams for a
 * resource or prompt), never as a server failure.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
