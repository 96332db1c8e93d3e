// PostgreSQL on 5432 [S5.2], from the runner and from every CP host; database HA is out of the
// page's scope [S2.2] and only recorded.
import { broken, fail, given, pass } from "../../helpers/checks/assert.js";
import { unlessUnreached } from "../../helpers/checks/reach.js";
import type { CheckModule } from "../../helpers/checks/types.js";
import { describeDbReachExit } from "../../helpers/probes/host.js";
import { DATABASE_TARGET, DB_REACH_SECTION, probeKeys } from "../../helpers/probes/keys.js";
import type { PgProbeResult } from "../../helpers/probes/types.js";

/** db-reach exits: 0 connected; 124 timed out (dropped); 1 refused or no route. Each is a measurement (no exit code is none). */
const DB_REACH_MEASURED: ReadonlySet<number | null> = new Set([0, 1, 124]);

function describeReplication(replication: PgProbeResult["replication"]): string {
  if (replication === null) return "not read";
  if ("error" in replication) return `not readable (${replication.error})`;
  if (replication.rows.length === 0) return "no standby attached";
  return replication.rows.map((row) => `${String(row.client_addr ?? row.application_name ?? "?")} ${String(row.state ?? "?")} ${String(row.sync_state ?? "")}`.trim()).join(", ");
}

export const databaseChecks: CheckModule = {
  "DB-01": {
    reads: { probes: ["pg"], hostProbes: [DB_REACH_SECTION] },
    decide: (ctx) => {
      const db = ctx.env.database;
      const where = `${db.host}:${db.port}`;
      if (ctx.target === DATABASE_TARGET) {
        return given({ pg: ctx.probe("pg", probeKeys.pg()) }, ({ pg }) => {
          const expected = `an authenticated session to ${db.database} as ${db.user} on ${where}`;
          return pg.ok
            ? pass(`PostgreSQL ${pg.serverVersion ?? "?"} on ${where} accepts an authenticated session`, { expected, actual: `server_version ${pg.serverVersion ?? "?"}; ${pg.versionText ?? ""}` })
            : unlessUnreached(ctx.run, db.host, fail(`PostgreSQL on ${where} refused or failed the session: ${pg.error ?? "unknown error"}`, { expected, actual: pg.error ?? "no session" }));
        });
      }
      const host = ctx.hostEntry();
      return given({ reach: ctx.hostProbe(DB_REACH_SECTION) }, ({ reach }) => {
        const outcome = describeDbReachExit(reach.exitCode, reach.timedOut);
        const detail = { expected: `${host.name} opens a TCP connection to ${where}`, actual: `exit ${reach.exitCode ?? "none"}: ${outcome}${reach.stderr.trim() ? `; ${reach.stderr.trim()}` : ""}` };
        if (!DB_REACH_MEASURED.has(reach.exitCode)) return broken(`the ${DB_REACH_SECTION} probe on ${host.name} ${outcome}`, detail);
        return reach.exitCode === 0 ? pass(`${host.name} reaches PostgreSQL on ${where}`, detail) : fail(`${host.name} cannot reach PostgreSQL on ${where}: ${outcome}`, detail);
      });
    },
  },

  "DB-02": {
    reads: { probes: ["pg"] },
    decide: (ctx) =>
      given({ pg: ctx.probe("pg", probeKeys.pg()) }, ({ pg }) => {
        if (!pg.ok) return broken(`database HA could not be observed: ${pg.error ?? "no session"}`);
        const replication = describeReplication(pg.replication);
        const role = pg.inRecovery === null ? "unknown" : pg.inRecovery ? "a standby (in recovery)" : "a primary";
        return pass(`recorded only (database HA is out of the page's scope): the server is ${role}; replication: ${replication}`, {
          expected: "recorded, never fails",
          actual: `pg_is_in_recovery() = ${String(pg.inRecovery)}; pg_stat_replication: ${replication}`,
        });
      }),
  },
};
