import { errorOf } from '../../core/errors.js';

/** Every error the search module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const searchErrors = {
  searchHitNotFound: errorOf('SEARCH_HIT_NOT_FOUND', 404),
  synonymTermEmpty: errorOf('SYNONYM_TERM_EMPTY', 400),
};
