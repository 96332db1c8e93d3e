// Page "Prepare hosts" [S2.1] and the Components column of the hardware table [S3.5].
import { auditRequirements } from "../helpers/requirement.js";
import { hostChecks } from "./checks/host.js";

auditRequirements({ section: "Prepare hosts: topology", ids: ["TOPO-01", "TOPO-02", "TOPO-03", "TOPO-04"], checks: hostChecks });
