// sudo's refusals, turned into the fix: `sudo -n` never prompts, so a host whose sudoers wants a
// terminal or a password refuses every root-only command. The fix lines are those of README
// "Preparing the audit account".

/** The fix for sudo's refusal in `stderr`, or null when sudo did not refuse. */
export function sudoRefusalFix(stderr: string, user: string): string | null {
  if (/must have a tty|a terminal is required|no tty present/i.test(stderr)) {
    return `sudo refused: this host's sudoers requires a terminal (Defaults requiretty); fix: add "Defaults:${user} !requiretty" to a file in /etc/sudoers.d/ (README "Preparing the audit account")`;
  }
  if (/a password is required|password is required/i.test(stderr)) {
    return `sudo refused: it asks ${user} for a password and the audit never types one (sudo -n); fix: a NOPASSWD rule for ${user} in /etc/sudoers.d/ (README "Preparing the audit account")`;
  }
  return null;
}
