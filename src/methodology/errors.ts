/**
 * A rule was given input it cannot judge (an unknown criterion id, no tier signal at all...).
 * `field` names the argument to fix; the message says what to send instead. The tool layer
 * turns it into an `isError` result.
 */
export class RuleInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "RuleInputError";
  }
}
