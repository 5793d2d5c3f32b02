/**
 * The parts of a URN, `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the
 * parent chain's types and the resource's own, joined by `$` (the stack's own type is left out of its
 * children's chain): https://www.pulumi.com/docs/iac/concepts/resources/names/#urns.
 */
export interface UrnParts {
  /** `urn:pulumi:<stack>::<project>`. */
  readonly stackAndProject: string;
  /** `a:b:Parent$kubernetes:core/v1:Service`. */
  readonly qualifiedType: string;
  readonly name: string;
}

export function parseUrn(urn: string): UrnParts {
  const parts = urn.split("::");
  return {
    stackAndProject: parts.slice(0, 2).join("::"),
    qualifiedType: parts[2],
    name: parts.slice(3).join("::"),
  };
}
