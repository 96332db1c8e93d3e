// Page "Minimum software" [S4.1]-[S4.3]: CentOS release, kernel release, a working Docker engine.
import { auditRequirements } from "../helpers/requirement.js";
import { hostChecks } from "./checks/host.js";

auditRequirements({ section: "Minimum software", ids: ["SW-01", "SW-02", "SW-03", "SW-04", "SW-05"], checks: hostChecks });
