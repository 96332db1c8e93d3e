// Page "Minimum hardware" [S3.1]-[S3.4]: x86_64, 2 cores, 4G RAM, 80 GB free disk on every host.
import { auditRequirements } from "../helpers/requirement.js";
import { hostChecks } from "./checks/host.js";

auditRequirements({ section: "Minimum hardware", ids: ["HW-01", "HW-02", "HW-03", "HW-04"], checks: hostChecks });
