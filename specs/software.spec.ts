// Page "Minimum software" [S4.1]-[S4.3]: CentOS release, kernel release, a working Docker engine.
import { auditSection } from "../helpers/requirement.js";
import { softwareChecks } from "./checks/software.js";

auditSection("software", softwareChecks);
