/**
 * The program's guard rails refuse the promotion (exit 4, like the cut-over tools' pre-checks): the message
 * is the program's own — the `ConfigError` text `pulumi up` would print — and the stack file is untouched.
 */
export class PromotionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PromotionRefused";
  }
}
