import { AppError, validationFailed } from '../../core/errors.js';

/** At most this many host names per workspace. */
export const MAX_HOSTNAMES = 20;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The host name an admin typed, as the portal compares it with a request's Host: trimmed and
 * lower-cased (DNS names are case-insensitive), one trailing dot dropped. A scheme, a port, a path
 * or anything else that is not a DNS name is refused with the problem's code under `hostname`, so
 * the screen can say which (HOSTNAME_SCHEME, HOSTNAME_PORT, HOSTNAME_PATH, HOSTNAME_INVALID).
 */
export function parseHostname(input: string): string {
  const value = input.trim().toLowerCase().replace(/\.$/, '');
  const refuse = (code: string, message: string) => validationFailed(message, [{ path: 'body.hostname', code, message }]);
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value)) throw refuse('HOSTNAME_SCHEME', 'Leave out the scheme (https://): only the host name');
  if (value.includes('/') || value.includes('?') || value.includes('#')) throw refuse('HOSTNAME_PATH', 'Leave out the path: only the host name');
  if (/:\d*$/.test(value)) throw refuse('HOSTNAME_PORT', 'Leave out the port: only the host name');
  if (!value || value.length > 253 || !value.split('.').every((label) => LABEL.test(label))) {
    throw refuse('HOSTNAME_INVALID', 'A host name is letters, digits and "-" in parts separated by dots (help.example.com)');
  }
  return value;
}

export const hostnameErrors = {
  taken: (hostname: string) => new AppError('HOSTNAME_TAKEN', 409, 'Another workspace already answers on this host name', { hostname }),
  tooMany: () => new AppError('HOSTNAMES_TOO_MANY', 409, `A workspace answers on at most ${MAX_HOSTNAMES} host names`, { max: MAX_HOSTNAMES }),
  notFound: () => new AppError('HOSTNAME_NOT_FOUND', 404, 'This workspace does not answer on that host name'),
};
