// [S2.1] each pair survives the loss of one member. Destructive: on real hosts the experiments run
// only with --allow-disruption and failover.allowDisruption: true.
import { auditSection } from "../helpers/requirement.js";
import { failoverChecks } from "./checks/failover.js";

auditSection("failover", failoverChecks);
