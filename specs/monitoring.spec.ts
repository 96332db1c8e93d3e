// Prometheus is optional [S2.3]; when enabled it must be healthy on 9090 [S5.2].
import { auditRequirements } from "../helpers/requirement.js";
import { networkChecks } from "./checks/network.js";

auditRequirements({ section: "Monitoring (optional Prometheus)", ids: ["PORT-05"], checks: networkChecks });
