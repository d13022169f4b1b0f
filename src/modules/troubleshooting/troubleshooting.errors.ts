import { errorOf } from '../../core/errors.js';

/** Every error the troubleshooting module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const treeErrors = {
  treeChanged: errorOf('TREE_CHANGED', 409),
  treeEmpty: errorOf('TREE_EMPTY', 500),
  treeInvalid: errorOf('TREE_INVALID', 400),
  treeNotAtRepair: errorOf('TREE_NOT_AT_REPAIR', 400),
  treeSlugTaken: errorOf('TREE_SLUG_TAKEN', 409),
};
