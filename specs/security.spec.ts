// Page "Security settings" [S5.1]: SELinux and a host firewall.
import { auditSection } from "../helpers/requirement.js";
import { securityChecks } from "./checks/security.js";

auditSection("security", securityChecks);
