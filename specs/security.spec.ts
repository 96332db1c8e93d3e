// Page "Security settings" [S5.1]-[S5.3]: SELinux, a firewall, the table's ports open and every other port closed.
import { auditRequirements } from "../helpers/requirement.js";
import { hostChecks } from "./checks/host.js";
import { networkChecks } from "./checks/network.js";

auditRequirements({ section: "Security settings: SELinux and firewall", ids: ["SEC-01", "SEC-02"], checks: hostChecks });
auditRequirements({ section: "Security settings: exposed and closed ports", ids: ["SEC-03", "SEC-04", "SEC-05"], checks: networkChecks });
