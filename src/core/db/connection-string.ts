import { AppError } from '../errors.js';

const CONNECTION_STRING = /^(postgres(?:ql)?:\/\/[^/?]*\/)([^?]*)(\?.*)?$/;

/** The same server, another database. Works for TCP and unix-socket (`?host=/dir`) strings alike. */
export function withDatabase(connectionString: string, database: string): string {
  const match = CONNECTION_STRING.exec(connectionString);
  if (!match) throw new AppError('DATABASE_URL_INVALID', 500, 'The database URL is not a postgres:// URL');
  return `${match[1]}${encodeURIComponent(database)}${match[3] ?? ''}`;
}

export function databaseName(connectionString: string): string {
  const match = CONNECTION_STRING.exec(connectionString);
  return decodeURIComponent(match?.[2] || 'postgres');
}

/** For logs: the password never appears. */
export function redactConnectionString(connectionString: string): string {
  return connectionString.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1[redacted]@');
}
