/** POSIX-quotes one argument so the displayed command can be pasted into a shell. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\-+=.,/:@%^]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function displayCommand(argv: readonly string[], shell: boolean): string {
  if (shell) return argv[0] ?? '';
  return argv.map(shellQuote).join(' ');
}
