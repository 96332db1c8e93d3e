// The one place where remote command lines are built. A remote sshd hands the command line to the
// login shell, so every argument is single-quoted: inside '...' a POSIX shell expands nothing.

/** Characters that never need quoting; keeps evidence readable (`uname -m`, not `'uname' '-m'`). */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one argument for a POSIX shell. Empty string becomes ''. NUL cannot cross a command line. */
export function quoteArg(arg: string): string {
  if (arg.includes("\0")) {
    throw new Error("an argument contains a NUL byte, which no shell command line can carry");
  }
  if (SAFE_WORD.test(arg)) return arg;
  // Close the quote, emit an escaped quote, reopen: ' -> '\''
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Join an argv into one shell command line in which each element stays one word, unchanged. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("an empty argv is not a command");
  return argv.map(quoteArg).join(" ");
}

/** `sudo -n` never prompts: a host that would ask for a password fails at once instead of hanging. */
export function sudoArgv(argv: readonly string[], useSudo: boolean): string[] {
  return useSudo ? ["sudo", "-n", ...argv] : [...argv];
}
