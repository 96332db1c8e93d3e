// Preloaded into every node process of a measured audit (NODE_OPTIONS=--require, by
// bench/runner-cpu.ts --per-process / --cpu-profile; node refuses --cpu-prof in NODE_OPTIONS):
// - API7_BENCH_CPU_LOG: at exit, appends the process's own CPU (user + system, all its threads) and
//   its argv to that file, one JSON object a line. Node processes only; the tree's total (GNU time)
//   less their sum is what the other programs took.
// - API7_BENCH_CPU_PROFILE_DIR: also writes a V8 CPU profile of the process there (<pid>.cpuprofile,
//   for Chrome DevTools or speedscope). The in-process inspector answers synchronously, so the
//   profile can be taken in the exit handler.
"use strict";
const { appendFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const file = process.env.API7_BENCH_CPU_LOG;
const profileDir = process.env.API7_BENCH_CPU_PROFILE_DIR;
let session;
if (profileDir) {
  const inspector = require("node:inspector");
  session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: Number(process.env.API7_BENCH_CPU_PROFILE_INTERVAL_US ?? 1000) });
  session.post("Profiler.start");
}
if (file || profileDir) {
  process.on("exit", record);
  // vitest ends its fork worker with SIGTERM: record it, then die of the signal as without us.
  process.once("SIGTERM", () => {
    record();
    process.removeListener("exit", record);
    process.kill(process.pid, "SIGTERM");
  });
}

function record() {
  const { user, system } = process.cpuUsage();
  if (file) {
    const line = { pid: process.pid, ppid: process.ppid, argv: process.argv.slice(1).join(" ").slice(0, 300), cpuSeconds: (user + system) / 1e6 };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
  session?.post("Profiler.stop", (error, result) => {
    if (!error) writeFileSync(join(profileDir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}
