// PostgreSQL on 5432 [S5.2]; database HA is out of the page's scope [S2.2], recorded only.
import { auditRequirements } from "../helpers/requirement.js";
import { networkChecks } from "./checks/network.js";

auditRequirements({ section: "Database", ids: ["DB-01", "DB-02"], checks: networkChecks });
