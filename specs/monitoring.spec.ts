// Prometheus is optional [S2.3]; when enabled it must be healthy on 9090 [S5.2].
import { auditSection } from "../helpers/requirement.js";
import { monitoringChecks } from "./checks/monitoring.js";

auditSection("monitoring", monitoringChecks);
