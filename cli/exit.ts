/**
 * Thrown by a command that finished its work but must end with another exit code than 0: a kata
 * whose checker found a violation ends with 1 after printing its report.
 */
export class ExitCode extends Error {
  readonly code: number;

  constructor(code: number) {
    super(`exit code ${code}`);
    this.name = 'ExitCode';
    this.code = code;
  }
}
