/**
 * What a command needs from the machine it runs on, and the one line each says when that is missing: what
 * is missing and how to get it. The offline plan needs none of them; the cut-over, rollback and DORA need
 * the Pulumi CLI and a login, and the cut-over also AWS credentials (it reads CloudWatch alarms).
 */

/** The Automation API found no `pulumi` to run (`spawn pulumi ENOENT`). */
export const PULUMI_CLI_MISSING =
  "The Pulumi CLI (`pulumi`) is not on PATH. Install it " +
  "(https://www.pulumi.com/docs/iac/download-install/) and run again.";

/** The CLI runs but has no credentials for its backend. */
export const PULUMI_LOGIN_MISSING =
  "The Pulumi CLI is not logged in: run `pulumi login` (or set PULUMI_ACCESS_TOKEN) and run again.";

/** What the CLI prints when it has no credentials (pkg/cmd/pulumi: `pulumi login`'s non-interactive hint). */
export function isPulumiLoginMissing(stderr: string): boolean {
  return /must be set for login during non-interactive CLI sessions|not logged in|pulumi login/i.test(stderr);
}

/**
 * Errors of the AWS SDK that mean "no usable credentials": none found by the default provider chain
 * (`CredentialsProviderError`, @aws-sdk/credential-provider-node), or credentials AWS no longer accepts
 * (an expired SSO or assumed-role session, a deleted access key).
 */
const AWS_CREDENTIAL_ERRORS = [
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
];

/** One line for an AWS SDK error that is about credentials; `undefined` for any other error. */
export function missingAwsCredentials(error: unknown): string | undefined {
  const name = error instanceof Error ? error.name : undefined;
  if (name === undefined || !AWS_CREDENTIAL_ERRORS.includes(name)) return undefined;
  return (
    `AWS credentials are missing or expired (${name}): sign in to the stack's account (\`aws sso login\` with ` +
    "AWS_PROFILE set, or export an assumed role's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and " +
    "AWS_SESSION_TOKEN) and run again."
  );
}
