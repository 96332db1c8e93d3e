// Page "Prepare hosts" [S2.1] and the Components column of the hardware table [S3.5].
import { auditSection } from "../helpers/requirement.js";
import { topologyChecks } from "./checks/topology.js";

auditSection("topology", topologyChecks);
