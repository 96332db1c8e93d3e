// The catalogue's closed vocabularies (sections of the page, its sentence tags, scopes, levels) and
// its error: shared by the loader (./catalogue.ts) and the validator (./catalogue-schema.ts) without
// either importing the other's dependencies.
import type { Level, Scope } from "../model.js";

/** Scopes of helpers/model.ts; the type assertions below keep the two lists identical. */
export const SCOPES = [
  "all-hosts",
  "cp-hosts",
  "dp-hosts",
  "database",
  "prometheus",
  "cp-pair",
  "dp-pair",
] as const satisfies readonly Scope[];
type MissingScope = Exclude<Scope, (typeof SCOPES)[number]>;
const everyScopeListed: MissingScope extends never ? true : never = true;
void everyScopeListed;

/** A requirement ID (SEC-04, HA-DP-02): the catalogue's entries and the waivers of an environment file. */
export const REQUIREMENT_ID = /^[A-Z]+(-[A-Z]+)?-\d{2}$/;

export const LEVELS = ["MUST", "SHOULD", "INFO"] as const satisfies readonly Level[];

/**
 * The sections of the page, in its order: one spec file (`specs/<section>.spec.ts`) and one check
 * module (`specs/checks/<section>.ts`) each, with the heading reports file them under.
 */
export const SECTION_TITLES = {
  topology: "Prepare hosts: topology",
  hardware: "Minimum hardware",
  software: "Minimum software",
  security: "Security settings: SELinux and firewall",
  ports: "Security settings: exposed and closed ports",
  database: "Database",
  monitoring: "Monitoring (optional Prometheus)",
  failover: "High availability: failover of each pair",
} as const;
export type Section = keyof typeof SECTION_TITLES;
export const PAGE_SECTIONS = Object.keys(SECTION_TITLES) as [Section, ...Section[]];
/** The page's sentence tags ([Sx.y] of the English rendering); a tag outside this list is a typo. */
export const SOURCE_TAGS = [
  "S1.1",
  "S2.1", "S2.2", "S2.3", "S2.4",
  "S3.1", "S3.2", "S3.3", "S3.4", "S3.5",
  "S4.1", "S4.2", "S4.3",
  "S5.1", "S5.2", "S5.3",
] as const;
export type SourceTag = (typeof SOURCE_TAGS)[number];

export class CatalogueError extends Error {
  override name = "CatalogueError";
}
