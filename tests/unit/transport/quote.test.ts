import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { commandLine, quoteArg, sudoArgv } from "../../../helpers/transport/quote.js";

const hostile = [
  "",
  " ",
  "two words",
  "it's",
  "'",
  "''",
  "'\\''",
  "$(touch pwned)",
  "`id`",
  "${HOME}",
  "$HOME",
  "a;b",
  "a && b || c",
  "a|b",
  "line1\nline2",
  "\n",
  "tab\there",
  "*",
  "?",
  "[a-z]",
  "~",
  "~root",
  "{a,b}",
  "#comment",
  "!",
  "!!",
  "\\",
  "back\\slash\\",
  '"double"',
  "<in >out 2>&1",
  "-n",
  "--",
  "héllo wörld ✓ 日本語 🚀",
  "\u202Eright-to-left",
  "\x01\x1b[31mred\x7f",
  "=",
  "a=b",
];

describe("quoteArg", () => {
  it("leaves plain words readable", () => {
    expect(quoteArg("uname")).toBe("uname");
    expect(quoteArg("-m")).toBe("-m");
    expect(quoteArg("/etc/os-release")).toBe("/etc/os-release");
    expect(quoteArg("KEY=value")).toBe("KEY=value");
  });

  it("quotes the empty string as ''", () => {
    expect(quoteArg("")).toBe("''");
  });

  it("single-quotes anything a shell could interpret", () => {
    expect(quoteArg("$(id)")).toBe("'$(id)'");
    expect(quoteArg("a b")).toBe("'a b'");
    expect(quoteArg("~")).toBe("'~'");
    expect(quoteArg("*")).toBe("'*'");
  });

  it("escapes single quotes by closing and reopening the quote", () => {
    expect(quoteArg("it's")).toBe("'it'\\''s'");
    expect(quoteArg("'")).toBe("''\\'''");
  });

  it("rejects NUL, which no command line can carry", () => {
    expect(() => quoteArg("a\0b")).toThrow(/NUL/);
    expect(() => commandLine(["echo", "\0"])).toThrow(/NUL/);
  });
});

describe("commandLine", () => {
  it("joins quoted arguments with spaces", () => {
    expect(commandLine(["cat", "/etc/machine-id"])).toBe("cat /etc/machine-id");
    expect(commandLine(["sh", "-c", "echo $HOME"])).toBe("sh -c 'echo $HOME'");
  });

  it("refuses an empty argv", () => {
    expect(() => commandLine([])).toThrow();
  });

  // The proof that matters: a real shell splits the line back into exactly the argv we built.
  it.each(["bash", "sh"])("round-trips hostile argv through a real %s -c unchanged", (shell) => {
    const argv = ["printf", "%s\\0", ...hostile];
    const output = execFileSync(shell, ["-c", commandLine(argv)], { encoding: "utf8" });
    const received = output.split("\0").slice(0, -1);
    expect(received).toEqual(hostile);
  });

  it("round-trips each hostile string alone (no word splitting or globbing between them)", () => {
    for (const arg of hostile) {
      const out = execFileSync("bash", ["-c", commandLine(["printf", "%s", arg])], { encoding: "utf8" });
      expect(out).toBe(arg);
    }
  });
});

describe("sudoArgv", () => {
  it("prefixes sudo -n only when asked", () => {
    expect(sudoArgv(["ss", "-ltnp"], true)).toEqual(["sudo", "-n", "ss", "-ltnp"]);
    expect(sudoArgv(["ss", "-ltnp"], false)).toEqual(["ss", "-ltnp"]);
  });

  it("does not alias the caller's array", () => {
    const argv = ["id"];
    const result = sudoArgv(argv, false);
    result.push("-u");
    expect(argv).toEqual(["id"]);
  });
});
