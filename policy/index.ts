import { PolicyPack } from "@pulumi/policy";
import { amsPolicies } from "./policies";

// `pulumi preview --policy-pack policy` (locally) or the pack published to Pulumi Cloud (Deployments).
new PolicyPack("ams", { policies: amsPolicies });
