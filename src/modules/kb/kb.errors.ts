import { errorOf } from '../../core/errors.js';

/** Every error the knowledge base module throws on purpose: code → HTTP status (the shared ones are in core/errors.ts). */
export const kbErrors = {
  // The attachment store's codes (core/storage/attachments.ts), for an article's images and their own limits.
  attachmentTooLarge: errorOf('ATTACHMENT_TOO_LARGE', 413),
  attachmentTypeForbidden: errorOf('ATTACHMENT_TYPE_FORBIDDEN', 415),
  kbCategoryCycle: errorOf('KB_CATEGORY_CYCLE', 409),
  kbCategorySlugTaken: errorOf('KB_CATEGORY_SLUG_TAKEN', 409),
  kbCategoryNotEmpty: errorOf('KB_CATEGORY_NOT_EMPTY', 409),
  kbImageInvalid: errorOf('KB_IMAGE_INVALID', 415),
  kbRelatedNotFound: errorOf('KB_RELATED_NOT_FOUND', 400),
  kbSlugTaken: errorOf('KB_SLUG_TAKEN', 409),
  kbTranslationExists: errorOf('KB_TRANSLATION_EXISTS', 409),
};
