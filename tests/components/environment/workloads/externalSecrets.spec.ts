import { strict as assert } from "assert";
import { SOURCE_VERSION_ANNOTATION } from "../../../../components/environment/workloads/externalSecrets";
import { findResources } from "../../../../plan/plan";
import { planOf, STACKS } from "../../../helpers/plans";

const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

interface ExternalSecretSpec {
  readonly data: { readonly remoteRef: { readonly key: string } }[];
}

/**
 * An ExternalSecret created before its remote secret has a value never syncs: GetSecretValue answers
 * ResourceNotFoundException while the secret has no AWSCURRENT version
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html), the
 * ExternalSecret stays Ready=False, and the provider's `condition=Ready` await holds the update until it times
 * out. So each one whose secret this program writes must wait for the write, not only for the secret.
 */
describe("ExternalSecrets wait for the value of the secrets this program writes", function () {
  this.timeout(120_000);

  for (const stack of STACKS) {
    it(`${stack}: every ExternalSecret depends on the SecretVersion of each secret it reads`, async () => {
      const plan = await planOf(stack);
      const versions = findResources(plan, SECRET_VERSION);
      const checked: string[] = [];
      for (const externalSecret of findResources(plan, EXTERNAL_SECRET)) {
        const keys = new Set(
          (externalSecret.inputs.spec as ExternalSecretSpec).data.map((d) => d.remoteRef.key),
        );
        for (const key of keys) {
          // A Secret's id is its ARN: the version that writes the secret the ExternalSecret reads.
          for (const version of versions.filter((candidate) => candidate.inputs.secretId === key)) {
            assert.ok(
              externalSecret.options.dependsOn.includes(version.urn),
              `${externalSecret.name} reads ${key} but does not wait for ${version.name}, which writes its value`,
            );
            // A new value is a new version id, so the ExternalSecret changes and the operator re-syncs it at
            // once rather than at its next refresh.
            const annotations = (externalSecret.inputs.metadata as { annotations?: Record<string, string> })
              .annotations;
            assert.match(annotations?.[SOURCE_VERSION_ANNOTATION] ?? "", /\S/, externalSecret.name);
            checked.push(externalSecret.name);
          }
        }
      }
      // The app secret, the cache token, the migrator's password and Unleash's secrets are written here.
      assert.ok(checked.length >= 4, `found only ${checked.join(", ")}`);
    });
  }
});
