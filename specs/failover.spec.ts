// [S2.1] two hosts for control-plane HA and two for data-plane HA: each pair survives the loss of one member.
// Destructive: the experiments run only with --allow-disruption and failover.allowDisruption: true.
import { auditRequirements } from "../helpers/requirement.js";
import { failoverChecks } from "./checks/failover.js";

auditRequirements({ section: "High availability: failover of each pair", ids: ["HA-CP-01", "HA-CP-02", "HA-DP-01", "HA-DP-02"], checks: failoverChecks });
