// The port table of "Security settings" [S5.2]: each component answers on its port.
import { auditRequirements } from "../helpers/requirement.js";
import { networkChecks } from "./checks/network.js";

auditRequirements({ section: "Exposed ports answer", ids: ["PORT-01", "PORT-02", "PORT-03", "PORT-04"], checks: networkChecks });
