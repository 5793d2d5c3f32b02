import { SERVICES, ServiceName, ServiceSizing } from "../../config/types";
import {
  formatCpuMillis,
  formatMemoryBytes,
  parseCpuMillis,
  parseMemoryBytes,
} from "../../config/quantities";

/**
 * Pods per service that may run at once at full scale. Every strategy needs room for two full sets for a
 * while: blue-green keeps both colors warm, canary runs stable and canary side by side, and a rolling
 * update surges before it removes. Sizing the quota for less would make the release itself fail.
 */
export const RELEASE_PARALLELISM = 2;

/** Extra room for gate Jobs (migrations, smoke tests) and short-lived debugging pods. */
export const HEADROOM_PERCENT = 25;
export const HEADROOM_PODS = 10;

export interface NamespaceQuota {
  readonly pods: number;
  readonly requestsCpu: string;
  readonly limitsCpu: string;
  readonly requestsMemory: string;
  readonly limitsMemory: string;
}

/**
 * The namespace ResourceQuota that lets every service reach its `maxReplicas` twice over (see
 * `RELEASE_PARALLELISM`) plus headroom, and no more: a runaway HPA or a copy-paste replica count stops at
 * the quota instead of at the node group's maximum.
 */
export function namespaceQuota(sizing: Readonly<Record<ServiceName, ServiceSizing>>): NamespaceQuota {
  let pods = 0;
  let requestsCpu = 0;
  let limitsCpu = 0;
  let requestsMemory = 0;
  let limitsMemory = 0;
  for (const service of SERVICES) {
    const size = sizing[service];
    const count = size.maxReplicas * RELEASE_PARALLELISM;
    pods += count;
    requestsCpu += count * quantity(parseCpuMillis, size.cpuRequest);
    limitsCpu += count * quantity(parseCpuMillis, size.cpuLimit);
    requestsMemory += count * quantity(parseMemoryBytes, size.memoryRequest);
    limitsMemory += count * quantity(parseMemoryBytes, size.memoryLimit);
  }
  const withHeadroom = (value: number) => Math.ceil((value * (100 + HEADROOM_PERCENT)) / 100);
  return {
    pods: pods + HEADROOM_PODS,
    requestsCpu: formatCpuMillis(withHeadroom(requestsCpu)),
    limitsCpu: formatCpuMillis(withHeadroom(limitsCpu)),
    requestsMemory: formatMemoryBytes(withHeadroom(requestsMemory)),
    limitsMemory: formatMemoryBytes(withHeadroom(limitsMemory)),
  };
}

function quantity(parse: (value: string) => number | undefined, value: string): number {
  const parsed = parse(value);
  // Sizing comes from parseAmsConfig, which has already rejected unparsable quantities.
  if (parsed === undefined) throw new Error(`unparsable quantity ${value}`);
  return parsed;
}
