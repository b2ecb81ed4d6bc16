import { statSync } from 'node:fs';

/** Why a working directory cannot be used, or undefined when it can. */
export function cwdProblem(cwd: string): string | undefined {
  try {
    return statSync(cwd).isDirectory() ? undefined : `working directory ${cwd} is not a directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `working directory ${cwd} does not exist`;
    return `working directory ${cwd} is not accessible (${code ?? (error as Error).message})`;
  }
}

/** One line saying what could not be started and what to check. */
export function describeSpawnError(program: string, code: string | undefined, message: string): string {
  const what = `cannot start ${JSON.stringify(program)}`;
  switch (code) {
    case 'ENOENT':
      return `${what}: command not found (ENOENT); check the command name and PATH`;
    case 'EACCES':
      return `${what}: permission denied (EACCES); check that it is an executable file`;
    case 'ENOEXEC':
      return `${what}: not an executable format (ENOEXEC); a script needs a #! line`;
    case 'E2BIG':
      return `${what}: argument list or environment too long (E2BIG)`;
    default: {
      const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
      return `${what}: ${firstLine}${code ? ` (${code})` : ''}`;
    }
  }
}
