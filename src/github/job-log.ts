// Every log line of a job says what it is about: the jobs log through pino child loggers
// (Probot's `context.log`) bound to the delivery, repository, branch or pull request, and per
// environment its name and commit, so an operator can follow one apply through the log.

/** What a job's log lines carry, as pino bindings. */
export interface LogContext {
  delivery?: string;
  repository?: string;
  branch?: string;
  pullRequest?: number;
  environment?: string;
  commit?: string;
}

/** The part of Probot's pino logger a job uses. */
export interface JobLog {
  info(message: string): void;
  warn(message: string): void;
  child(bindings: LogContext): JobLog;
}
