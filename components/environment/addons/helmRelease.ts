import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PinnedChart } from "./charts";

/**
 * A Helm release of a pinned chart. `atomic` rolls a failed upgrade back instead of leaving a half-installed
 * add-on, and Pulumi waits for it, so anything that depends on the add-on starts only once it runs.
 */
export function helmRelease(
  name: string,
  chart: PinnedChart,
  values: pulumi.Input<Record<string, unknown>>,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: chart.chart,
      chart: chart.chart,
      version: chart.version,
      namespace: chart.namespace,
      createNamespace: true,
      repositoryOpts: { repo: chart.repo },
      values,
      atomic: true,
      cleanupOnFail: true,
      timeout: 600,
    },
    opts,
  );
}
