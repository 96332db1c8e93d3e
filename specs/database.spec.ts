// PostgreSQL on 5432 [S5.2]; database HA is out of the page's scope [S2.2], recorded only.
import { auditSection } from "../helpers/requirement.js";
import { databaseChecks } from "./checks/database.js";

auditSection("database", databaseChecks);
