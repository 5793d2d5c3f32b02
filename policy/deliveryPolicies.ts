import {
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
  StackValidationArgs,
} from "@pulumi/policy";
import {
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isLabelKey,
  isLabelValue,
} from "./kubernetesNames";
import { configSchema, isProd, PolicyConfig } from "./policyConfig";

/**
 * The delivery rules every AMS stack keeps, whatever its strategy: how releases behave under the real
 * controllers (the HPA, Argo Rollouts, the AWS Load Balancer Controller) and the Kubernetes provider. Each
 * policy names the upstream behaviour it guards; the code that satisfies it cites the same source.
 */

type Props = Record<string, unknown>;
type Labels = Record<string, string>;
type StackResource = StackValidationArgs["resources"][number];

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const JOB = "kubernetes:batch/v1:Job";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const ANALYSIS_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

const metadataOf = (props: Props) => (props.metadata ?? {}) as Props;
const nameOf = (props: Props) => metadataOf(props).name as string | undefined;
const namespaceOf = (props: Props) => metadataOf(props).namespace as string | undefined;
const annotationsOf = (props: Props) => (metadataOf(props).annotations ?? {}) as Labels;

/** A Kubernetes object resource (`kubernetes:<group>/<version>:<Kind>`), not a Helm release or a provider. */
function isKubernetesObject(type: string): boolean {
  return type.startsWith("kubernetes:") && type !== HELM_RELEASE && !type.startsWith("pulumi:");
}

/** group/Kind: what the API server's identity of an object is made of, with namespace and name. */
function groupKind(type: string): string {
  const [, groupVersion, kind] = type.split(":");
  return `${groupVersion.split("/")[0]}/${kind}`;
}

export const hpaOwnsReplicas: ResourceValidationPolicy = {
  name: "ams-hpa-owns-replicas",
  description:
    "AMS workloads declare no replica count: their HPA owns it, and with server-side apply a program that re-declares it conflicts with the HPA's field manager or, forced, resets the scale under load. Only a blue-green color without a version declares 0 (it has no HPA).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== DEPLOYMENT && args.type !== ROLLOUT) return;
    if ((metadataOf(args.props).labels as Labels | undefined)?.["app.kubernetes.io/part-of"] !== "ams")
      return;
    const replicas = (args.props.spec as Props | undefined)?.replicas;
    if (replicas !== undefined && replicas !== 0)
      report(`${args.name}: declares spec.replicas ${String(replicas)}; the HPA owns the count`);
  },
};

export const autoscaledWorkloads: StackValidationPolicy = {
  name: "ams-autoscaled-workloads",
  description:
    "A workload an HPA scales is awaited until it has the HPA floor in available pods (pulumi.com/waitFor) before anything routes to it: the provider's own Deployment await sees only the Deployment's spec, not the pods its HPA asks for — and no HPA scales a workload that runs no pods.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    // Stack policies see outputs; annotations and the HPA's spec read the same there as in the inputs.
    const workloads = args.resources.filter((r) => r.type === DEPLOYMENT || r.type === ROLLOUT);
    for (const hpa of args.resources.filter((r) => r.type === HPA)) {
      const spec = (hpa.props.spec ?? {}) as {
        scaleTargetRef?: { kind?: string; name?: string };
        minReplicas?: number;
      };
      const target = workloads.find(
        (w) =>
          w.type.endsWith(`:${spec.scaleTargetRef?.kind}`) &&
          nameOf(w.props) === spec.scaleTargetRef?.name &&
          namespaceOf(w.props) === namespaceOf(hpa.props),
      );
      if (!target) continue;
      const gate = annotationsOf(target.props)["pulumi.com/waitFor"] ?? "";
      const floor = spec.minReplicas ?? 1;
      if (!gate.includes(`availableReplicas > ${floor - 1})`))
        report(
          `${target.name}: pulumi.com/waitFor must wait for its HPA floor (availableReplicas > ${floor - 1})`,
          target.urn,
        );
    }
  },
};

/** Success conditions that fail on missing data (components/delivery/canary/analysis.ts, CLOUDWATCH_HAS_DATA). */
const HAS_DATA: Record<string, string> = {
  cloudWatch: "len(result) > 0 && len(result[0].Values) > 0 &&",
  prometheus: "len(result) > 0 &&",
};

export const analysisFailsWithoutData: ResourceValidationPolicy = {
  name: "ams-analysis-fails-without-data",
  description:
    "A canary analysis never passes without data: Argo Rollouts evaluates all() over an empty list as true, so every success condition first requires a result, and CloudWatch searches never exact-match the controller-created load balancer and target group names (their suffix is unknown, an exact match finds nothing).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== ANALYSIS_TEMPLATE) return;
    const metrics = ((args.props.spec as Props | undefined)?.metrics ?? []) as Props[];
    for (const metric of metrics) {
      const provider = Object.keys((metric.provider ?? {}) as Props)[0] ?? "";
      const condition = String(metric.successCondition ?? "");
      const guard = HAS_DATA[provider];
      if (metric.failureCondition !== undefined && metric.successCondition === undefined)
        report(`${args.name}/${String(metric.name)}: a failure condition alone counts no data as success`);
      if (guard === undefined)
        report(`${args.name}/${String(metric.name)}: provider ${provider} has no no-data rule`);
      else if (!condition.startsWith(guard))
        report(
          `${args.name}/${String(metric.name)}: successCondition must start with "${guard}" so no data fails`,
        );
      const queries = JSON.stringify(metric.provider ?? {});
      if (/(TargetGroup|LoadBalancer)=\\"/.test(queries))
        report(
          `${args.name}/${String(metric.name)}: a quoted TargetGroup/LoadBalancer search term is an exact match and finds no controller-created name`,
        );
    }
  },
};

export const uniqueKubernetesObjects: StackValidationPolicy = {
  name: "ams-unique-kubernetes-objects",
  description:
    "Each Kubernetes object (group, kind, namespace, name) is declared by one resource only: two URNs for one object make Pulumi create it twice (AlreadyExists) or delete it from under the other (objects shared across strategies carry aliases instead).",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const seen = new Map<string, StackResource>();
    for (const resource of args.resources.filter((r) => isKubernetesObject(r.type))) {
      const name = nameOf(resource.props);
      if (name === undefined) continue;
      const key = `${groupKind(resource.type)} ${namespaceOf(resource.props) ?? ""}/${name}`;
      const first = seen.get(key);
      if (first) report(`${key} is declared by both ${first.urn} and ${resource.urn}`, resource.urn);
      else seen.set(key, resource);
    }
  },
};

export const gateJobsRerunnable: ResourceValidationPolicy = {
  name: "ams-gate-jobs-rerunnable",
  description:
    "Migration and smoke Jobs gate traffic and never wedge later updates: Pulumi awaits them (no pulumi.com/skipAwait), replaces a failed one on the next update (pulumi.com/replaceUnready), and the cluster never deletes them behind Pulumi's back (no ttlSecondsAfterFinished).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== JOB) return;
    const annotations = annotationsOf(args.props);
    const spec = (args.props.spec ?? {}) as Props;
    if (annotations["pulumi.com/replaceUnready"] !== "true")
      report(
        `${args.name}: needs pulumi.com/replaceUnready "true", or a failed Job blocks every later update`,
      );
    if (annotations["pulumi.com/skipAwait"] === "true")
      report(`${args.name}: pulumi.com/skipAwait would report the gate done before it ran`);
    if (spec.ttlSecondsAfterFinished !== undefined)
      report(`${args.name}: ttlSecondsAfterFinished lets the cluster delete a Job Pulumi still tracks`);
    if (spec.activeDeadlineSeconds === undefined)
      report(
        `${args.name}: needs activeDeadlineSeconds, so it fails by itself instead of hanging the update`,
      );
  },
};

/** Label maps a Kubernetes object carries in the places the API server validates. */
function labelMaps(props: Props): [string, Labels][] {
  const spec = (props.spec ?? {}) as Props;
  const template = (spec.template ?? {}) as Props;
  const maps: [string, unknown][] = [
    ["metadata.labels", metadataOf(props).labels],
    ["spec.selector.matchLabels", (spec.selector as Props | undefined)?.matchLabels],
    ["spec.template.metadata.labels", (template.metadata as Props | undefined)?.labels],
  ];
  if (props.kind === "Service") maps.push(["spec.selector", spec.selector]);
  return maps.filter((entry): entry is [string, Labels] => typeof entry[1] === "object" && entry[1] !== null);
}

export const validKubernetesNames: ResourceValidationPolicy = {
  name: "ams-kubernetes-names",
  description:
    "Every Kubernetes name and label the program generates is one the API server accepts (DNS-1123 names; Service names DNS-1035; Job names ≤ 63 as their pods' job-name label; label values ≤ 63), for any valid config — including long image tags.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (!isKubernetesObject(args.type)) return;
    const name = nameOf(args.props);
    if (typeof name === "string") {
      const kind = String(args.props.kind ?? "");
      const valid =
        kind === "Service"
          ? isDns1035Label(name)
          : kind === "Job"
            ? isDns1123Label(name)
            : isDns1123Subdomain(name);
      if (!valid) report(`${args.name}: metadata.name "${name}" is not a valid ${kind} name`);
    }
    for (const [where, labels] of labelMaps(args.props)) {
      for (const [key, value] of Object.entries(labels)) {
        if (!isLabelKey(key)) report(`${args.name}: ${where} key "${key}" is not a valid label key`);
        if (typeof value === "string" && !isLabelValue(value))
          report(`${args.name}: ${where}["${key}"] = "${value}" is not a valid label value`);
      }
    }
  },
};

const previewRestricted: ResourceValidationPolicy = {
  name: "ams-preview-restricted",
  description:
    "In prod the preview route, which serves the idle color's unreleased version, only answers listed source addresses (the ALB rule's source-ip condition).",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, report) => {
    if (args.type !== INGRESS || !isProd(() => args.getConfig<PolicyConfig>())) return;
    for (const [key, value] of Object.entries(annotationsOf(args.props))) {
      if (!/^alb\.ingress\.kubernetes\.io\/conditions\..*-preview$/.test(key)) continue;
      const conditions = JSON.parse(value) as { field?: string }[];
      if (!conditions.some((condition) => condition.field === "source-ip"))
        report(`${args.name}: ${key} has no source-ip condition: the preview route is open to the internet`);
    }
  },
};

export const switchAlarmCountsLoadBalancerErrors: ResourceValidationPolicy = {
  name: "ams-switch-alarm-elb-5xx",
  description:
    "The switch's 5xx alarm counts the 502/503/504 the load balancer generates itself (HTTPCode_ELB_5XX_Count): a color that cannot serve produces those, not target 5xx.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "aws:cloudwatch/metricAlarm:MetricAlarm") return;
    if (!String(args.props.name ?? "").endsWith("-api-5xx-rate")) return;
    const metrics = JSON.stringify(args.props.metricQueries ?? []);
    if (!metrics.includes("HTTPCode_ELB_5XX_Count"))
      report(`${args.name}: the 5xx rate must include HTTPCode_ELB_5XX_Count`);
  },
};

export const rolloutsControllerIdentity: StackValidationPolicy = {
  name: "ams-rollouts-controller-identity",
  description:
    "Where Rollouts exist, the Argo Rollouts controller has its own AWS identity (an IRSA role on its service account) and its region (AWS_REGION): pods cannot use the node's credentials, and without them every CloudWatch analysis errors and aborts its rollout.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    if (!args.resources.some((r) => r.type === ROLLOUT)) return;
    const release = args.resources.find(
      (r) => r.type === HELM_RELEASE && (r.props as { chart?: string }).chart === "argo-rollouts",
    );
    if (!release) {
      report("Rollouts are declared but the Argo Rollouts controller is not installed");
      return;
    }
    const values = (release.props.values ?? {}) as {
      serviceAccount?: { annotations?: Labels };
      controller?: { extraEnv?: { name?: string }[] };
    };
    if (!("eks.amazonaws.com/role-arn" in (values.serviceAccount?.annotations ?? {})))
      report(
        `${release.name}: serviceAccount.annotations needs eks.amazonaws.com/role-arn (IRSA)`,
        release.urn,
      );
    if (!(values.controller?.extraEnv ?? []).some((env) => env.name === "AWS_REGION"))
      report(`${release.name}: controller.extraEnv needs AWS_REGION`, release.urn);
  },
};

/** The delivery policies, for the pack's lists in policies.ts. */
export const deliveryResourcePolicies: ResourceValidationPolicy[] = [
  hpaOwnsReplicas,
  analysisFailsWithoutData,
  gateJobsRerunnable,
  validKubernetesNames,
  previewRestricted,
  switchAlarmCountsLoadBalancerErrors,
];
export const deliveryStackPolicies: StackValidationPolicy[] = [
  autoscaledWorkloads,
  uniqueKubernetesObjects,
  rolloutsControllerIdentity,
];
