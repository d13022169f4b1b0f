import { z } from 'zod';

// Control characters, and the invisible marks that reorder or disguise text (bidi overrides and
// isolates, directional marks): a redirect target holding them is either a broken header or a lure.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const UNSAFE_IN_PATH = /[\s\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A same-site path to redirect to, made safe for a Location header: anything that is not a plain
 * local path (another site, `//host`, a backslash, control or bidi characters) becomes `/`, and
 * other non-ASCII characters are percent-encoded (a raw one made Node refuse the header: a 500).
 */
export function safeLocalPath(value: string): string {
  if (!/^\/(?!\/)/.test(value) || UNSAFE_IN_PATH.test(value)) return '/';
  try {
    return value.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  } catch {
    return '/'; // a lone surrogate cannot be encoded
  }
}

/** `next`-style query and form fields: never an error, at worst the home page. */
export const LocalPath = z.string().max(500).transform(safeLocalPath).catch('/');
