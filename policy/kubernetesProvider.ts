import { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * The cluster's Kubernetes provider updates ConfigMaps in place. By default pulumi-kubernetes replaces a
 * ConfigMap whose data changes, and one with a fixed name is deleted before its replacement is created
 * (provider/pkg/provider/provider.go, `Diff`: ConfigMap data is a replace unless `enableConfigMapMutable`;
 * https://github.com/pulumi/pulumi-kubernetes/issues/1567). The blue-green workers' consume switches are such
 * ConfigMaps, rewritten by every flip and watched by running workers: deleted for a moment, a switch reads as
 * unset, and `npm run cutover` would see a replace where the flip promises an update. Turning the setting on
 * for an existing provider changes no resource (`DiffConfig` replaces a provider only when its cluster
 * changes). The provider @pulumi/eks makes inside its own component serves only that component.
 */
export const kubernetesConfigMapsInPlace: ResourceValidationPolicy = {
  name: "ams-kubernetes-configmaps-in-place",
  description:
    "The cluster's Kubernetes provider updates ConfigMaps in place (enableConfigMapMutable): a flip rewrites the workers' consume switches and must never delete them, even for a moment.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    if (args.type !== "pulumi:providers:kubernetes") return;
    if (args.urn.includes("$eks:index:Cluster$")) return;
    // Provider inputs reach the engine as strings when they are not ("true"), as the Node SDK sends them.
    const value = args.props.enableConfigMapMutable;
    if (value !== true && value !== "true") {
      report(
        `${args.name}: enableConfigMapMutable is ${JSON.stringify(value)}; it must be true so ConfigMaps are updated in place, not deleted and re-created`,
      );
    }
  },
};
